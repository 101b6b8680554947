import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';
import { PkiError } from './errors.ts';
import { pkiLayout } from './pkiLayout.ts';
import { withPkiLock } from './pkiLock.ts';
import { temporaryDirectories } from './testSupport.ts';

describe('the PKI folder lock', function () {
  const newDir = temporaryDirectories();

  it('runs one holder at a time', async function () {
    const layout = pkiLayout(await newDir());
    const events: string[] = [];
    const holder = (name: string) =>
      withPkiLock(layout, async () => {
        events.push(`${name} in`);
        await new Promise((resolve) => setImmediate(resolve));
        events.push(`${name} out`);
      });
    await Promise.all([holder('a'), holder('b'), holder('c')]);
    for (let n = 0; n < events.length; n += 2) assert.equal(events[n]!.replace(' in', ' out'), events[n + 1]);
    await assert.rejects(access(layout.lock), 'the lock file is gone afterwards');
  });

  it('takes over a lock left by a process that has exited', async function () {
    const layout = pkiLayout(await newDir());
    const exited = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    await writeFile(layout.lock, `${exited}\n`);
    assert.equal(await withPkiLock(layout, async () => 'done', 2_000), 'done');
  });

  it('waits for a live holder, then gives up with pki.lock-timeout', async function () {
    const layout = pkiLayout(await newDir());
    await writeFile(layout.lock, `${process.ppid}\n`);
    await assert.rejects(
      withPkiLock(layout, async () => 'never', 200),
      (error: PkiError) => error.code === 'pki.lock-timeout',
    );
  });
});
