import { describe, expect, it } from 'vitest';
import { developerTasks } from '../../../agents/coding/team-mode.js';
import { SqliteThreadStore } from '../../../agents/coding/thread-store.js';
import { openUsageDb } from '../../model/helpers.js';

describe('thread store', () => {
  it('saves, loads and resets threads per conversation and agent', () => {
    const db = openUsageDb();
    const threads = new SqliteThreadStore(db);
    const msgs = [
      { role: 'user' as const, content: 'build a page' },
      { role: 'assistant' as const, content: [{ type: 'text' as const, text: 'done' }] },
    ];
    threads.save('tg:1', 'coding', msgs);
    threads.save('tg:1', 'project-manager', msgs.slice(0, 1));
    threads.save('tg:2', 'coding', msgs.slice(0, 1));
    expect(threads.load('tg:1', 'coding')).toEqual(msgs);
    threads.save('tg:1', 'coding', msgs.slice(0, 1));
    expect(threads.load('tg:1', 'coding')).toHaveLength(1);
    threads.reset('tg:1');
    expect(threads.load('tg:1', 'coding')).toBeUndefined();
    expect(threads.load('tg:1', 'project-manager')).toBeUndefined();
    expect(threads.load('tg:2', 'coding')).toHaveLength(1);
  });

  it('treats a corrupt row as no thread', () => {
    const db = openUsageDb();
    db.prepare("INSERT INTO agent_threads VALUES ('k', 'coding', '{not json', 'now')").run();
    db.prepare("INSERT INTO agent_threads VALUES ('k2', 'coding', '[{\"role\":\"system\"}]', 'now')").run();
    const threads = new SqliteThreadStore(db);
    expect(threads.load('k', 'coding')).toBeUndefined();
    expect(threads.load('k2', 'coding')).toBeUndefined();
  });
});

describe('developer task blocks', () => {
  it('extracts every delegated task', () => {
    const text =
      'Plan:\n<developer_task>\nBuild index.html\n</developer_task>\nthen <developer_task>Add CSS</developer_task>';
    expect(developerTasks(text)).toEqual(['Build index.html', 'Add CSS']);
    expect(developerTasks('no tasks here TASK_COMPLETE')).toEqual([]);
  });
});
