// What a run did that the user should hear about: files changed and preview links handed out.
// Filled in by the tools, read by the final reply.

export interface PreviewLink {
  port: number;
  url: string;
  expiresAt: Date;
}

export class RunState {
  readonly changedFiles = new Set<string>();
  readonly previews = new Map<number, PreviewLink>();

  fileChanged(path: string): void {
    this.changedFiles.add(path);
  }

  preview(link: PreviewLink): void {
    this.previews.set(link.port, link);
  }
}
