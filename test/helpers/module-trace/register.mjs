// `node --import` this file to record every module the process loads (one URL a line) into the file
// named by SANDGATE_TRACE_MODULES: how tests check a command's module graph without timing it.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
