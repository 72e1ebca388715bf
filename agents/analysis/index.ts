// The analysis agent's public surface, for the gateway assembly.

export {
  type AnalysisAgent,
  type AnalysisAgentDeps,
  type AnalysisConfig,
  type AnalysisThreadStore,
  createAnalysisAgent,
  interpreterContext,
} from './analysis-agent.js';
export { DATA_DIR, datasetFormat, isDatasetFile, OUT_DIR } from './dataset-files.js';
