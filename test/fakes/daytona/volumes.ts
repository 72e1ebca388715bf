// The volumes half of the Daytona fake (`/api/volumes…`, as @daytonaio/sdk 0.218's VolumeService
// calls it). A volume is a directory; a new one is `pending_create` until it has been read once, so
// callers have to wait for `ready` as with the real API. Deleting a mounted volume answers 409.

import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface FakeVolume {
  dto: {
    id: string;
    name: string;
    organizationId: string;
    state: 'pending_create' | 'ready';
    createdAt: string;
    updatedAt: string;
    lastUsedAt: string | null;
    errorReason: string | null;
  };
  dir: string;
}

type Reply = (status: number, body?: unknown) => void;

export class FakeVolumes {
  readonly byId = new Map<string, FakeVolume>();

  constructor(
    private readonly root: string,
    /** Whether any live sandbox mounts this volume (a mounted volume cannot be deleted). */
    private readonly inUse: (volumeId: string) => boolean,
  ) {}

  byName(name: string): FakeVolume | undefined {
    return [...this.byId.values()].find((v) => v.dto.name === name);
  }

  /** Handles `/volumes…` (path without the /api prefix). Returns false for other paths. */
  route(method: string, path: string, body: Record<string, unknown>, reply: Reply): boolean {
    if (path === '/volumes' && method === 'GET') {
      reply(
        200,
        [...this.byId.values()].map((v) => v.dto),
      );
      return true;
    }
    if (path === '/volumes' && method === 'POST') {
      const name = typeof body.name === 'string' ? body.name : '';
      if (!/^[A-Za-z0-9._-]{1,63}$/.test(name)) {
        reply(400, { statusCode: 400, message: 'name must be 1-63 letters, digits, ".", "_" or "-"' });
        return true;
      }
      if (this.byName(name)) {
        reply(409, { statusCode: 409, message: `Volume with name ${name} already exists` });
        return true;
      }
      const now = new Date().toISOString();
      const id = randomUUID();
      const dir = join(this.root, 'volumes', id);
      mkdirSync(dir, { recursive: true });
      const volume: FakeVolume = {
        dto: {
          id,
          name,
          organizationId: 'org-fake',
          state: 'pending_create',
          createdAt: now,
          updatedAt: now,
          lastUsedAt: null,
          errorReason: null,
        },
        dir,
      };
      this.byId.set(id, volume);
      reply(200, volume.dto);
      return true;
    }
    const byName = /^\/volumes\/by-name\/([^/]+)$/.exec(path);
    if (byName && method === 'GET') {
      const volume = this.byName(decodeURIComponent(byName[1]!));
      if (!volume) {
        reply(404, { statusCode: 404, message: 'Volume not found', code: 'NOT_FOUND' });
        return true;
      }
      reply(200, { ...volume.dto });
      // Ready from the next read on: a caller that does not wait sees pending_create once.
      volume.dto.state = 'ready';
      return true;
    }
    const one = /^\/volumes\/([^/]+)$/.exec(path);
    if (one && method === 'DELETE') {
      const volume = this.byId.get(decodeURIComponent(one[1]!));
      if (!volume) {
        reply(404, { statusCode: 404, message: 'Volume not found', code: 'NOT_FOUND' });
        return true;
      }
      if (this.inUse(volume.dto.id)) {
        reply(409, { statusCode: 409, message: 'Volume is in use by one or more sandboxes' });
        return true;
      }
      this.byId.delete(volume.dto.id);
      rmSync(volume.dir, { recursive: true, force: true });
      reply(200);
      return true;
    }
    return false;
  }
}
