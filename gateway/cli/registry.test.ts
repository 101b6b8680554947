import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevPki } from '../../certs/index.ts';
import { bitraderRegistry } from '../registry/testing/bitraderRegistry.ts';
import { runCommandInProcess } from '../testing/commandInProcess.ts';
import { registryCommand } from './registry.ts';
import { exportCommand, importCommand } from './stateBundle.ts';

const run = runCommandInProcess;

describe('flexgate registry, export and import', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'flexgate-registry-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('imports JSON and the pre-qualification CSV, lists and exports; refuses a bad file with every problem', async () => {
    const data = join(dir, 'a');
    writeFileSync(join(dir, 'registry.json'), JSON.stringify(bitraderRegistry()));
    writeFileSync(
      join(dir, 'assets.csv'),
      'FSP ID,DSO Asset ID,Asset Group ID,Technology Type,MIC kW,MEC kW,MPAN\nfsp-agg1,ENWL-EXTRA,GRP-X,Solar PV,0,250,1200023456789\n',
    );
    assert.equal((await run(registryCommand, 'import', join(dir, 'registry.json'), '--data-dir', data)).code, 0);
    const merged = await run(registryCommand, 'import', join(dir, 'assets.csv'), '--data-dir', data);
    assert.match(merged.stdout, /12 parties, 11 assets, 10 contracts/);
    const listed = await run(registryCommand, 'list', '--data-dir', data);
    assert.match(listed.stdout, /asset +ENWL-EXTRA +resource ENWL-EXTRA group GRP-X solar-pv MIC 0 kW MEC 250 kW fsp fsp-agg1/);
    const exported = await run(registryCommand, 'export', '--data-dir', data);
    assert.equal(JSON.parse(exported.stdout).assets.length, 11);

    writeFileSync(join(dir, 'bad.csv'), 'FSP ID,DSO Asset ID\nfsp-agg1,X\n');
    const bad = await run(registryCommand, 'import', join(dir, 'bad.csv'), '--data-dir', data);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /registry\.csv-invalid: No column for assetGroupId/);
  });

  it('exports a signed bundle from one instance and imports it into an empty one', async () => {
    const source = join(dir, 'source');
    await ensureDevPki(join(source, 'pki'));
    writeFileSync(join(dir, 'registry2.json'), JSON.stringify(bitraderRegistry()));
    assert.equal((await run(registryCommand, 'import', join(dir, 'registry2.json'), '--data-dir', source)).code, 0);
    const out = join(dir, 'state.bundle.json');
    const exported = await run(exportCommand, '--out', out, '--data-dir', source);
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).format, 'flexgate-state-bundle');
    const target = join(dir, 'target');
    // The target's own PKI did not issue the source's certificate: refused unless told to trust the source's CA.
    await ensureDevPki(join(target, 'pki'));
    const untrusted = await run(importCommand, out, '--data-dir', target);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stderr, /^portability\.signer-untrusted: /);
    const imported = await run(importCommand, out, '--data-dir', target, '--trust', join(source, 'pki', 'root', 'ca.pem'));
    assert.equal(imported.code, 0, imported.stderr);
    assert.match((await run(registryCommand, 'list', '--data-dir', target)).stdout, /contract +Agg_Seller_1 /);
    assert.equal(
      (await run(importCommand, out, '--data-dir', target, '--pki-dir', join(source, 'pki'))).code,
      1,
      'an instance with state refuses a second import',
    );
  });
});
