// A tiny Prometheus text-format registry: counters, gauges read on scrape, and histograms.
// Hand-rolled because the gateway needs a dozen series, not a client library's worth.

type Labels = Record<string, string>;

const labelKey = (labels: Labels = {}) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');

interface Series {
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(name: string): string[];
}

export class Counter {
  private readonly values = new Map<string, number>();
  inc(labels?: Labels, by = 1): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  render(name: string): string[] {
    if (this.values.size === 0) return [`${name} 0`];
    return [...this.values].map(([k, v]) => `${name}${k ? `{${k}}` : ''} ${v}`);
  }
}

export class Histogram {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(private readonly buckets: number[]) {}
  observe(value: number, labels?: Labels): void {
    const k = labelKey(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    for (const [i, b] of this.buckets.entries()) if (value <= b) s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += value;
    s.count++;
  }
  render(name: string): string[] {
    const out: string[] = [];
    for (const [k, s] of this.series) {
      const pre = k ? `${k},` : '';
      for (const [i, b] of this.buckets.entries()) out.push(`${name}_bucket{${pre}le="${b}"} ${s.counts[i]}`);
      out.push(`${name}_bucket{${pre}le="+Inf"} ${s.count}`);
      out.push(`${name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
      out.push(`${name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return out;
  }
}

export class MetricsRegistry {
  private readonly series = new Map<string, Series>();

  counter(name: string, help: string): Counter {
    const c = new Counter();
    this.series.set(name, { help, type: 'counter', render: (n) => c.render(n) });
    return c;
  }

  histogram(name: string, help: string, buckets: number[]): Histogram {
    const h = new Histogram(buckets);
    this.series.set(name, { help, type: 'histogram', render: (n) => h.render(n) });
    return h;
  }

  /** A gauge computed at scrape time (queue depth, runs by state, channel status). */
  gauge(name: string, help: string, read: () => { labels?: Labels; value: number }[]): void {
    this.series.set(name, {
      help,
      type: 'gauge',
      render: (n) =>
        read().map(({ labels, value }) => `${n}${labels ? `{${labelKey(labels)}}` : ''} ${value}`),
    });
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, s] of this.series) {
      lines.push(`# HELP ${name} ${s.help}`, `# TYPE ${name} ${s.type}`, ...s.render(name));
    }
    return `${lines.join('\n')}\n`;
  }
}

/** The gateway's own series, created once and passed to the parts that update them. */
export function createGatewayMetrics(registry = new MetricsRegistry()) {
  const seconds = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300];
  return {
    registry,
    inbound: registry.counter('sandgate_inbound_total', 'Inbound messages by channel and outcome'),
    runs: registry.counter('sandgate_runs_finished_total', 'Finished runs by kind and state'),
    deliveries: registry.counter('sandgate_deliveries_total', 'Delivery attempts by channel and outcome'),
    intakeSeconds: registry.histogram(
      'sandgate_intake_seconds',
      'Time to persist and admit an inbound message',
      seconds,
    ),
    runSeconds: registry.histogram('sandgate_run_seconds', 'Run duration by kind', seconds),
    deliverySeconds: registry.histogram(
      'sandgate_delivery_seconds',
      'Time from enqueue to delivered',
      seconds,
    ),
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
