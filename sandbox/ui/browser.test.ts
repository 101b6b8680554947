import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../../schemas/packageRoot.ts';
import { FLEXGATE_BIN, runFlexgate } from '../../gateway/testing/gatewayProcess.ts';

const CHROMIUM = process.env.FLEXGATE_CHROMIUM ?? '/usr/bin/chromium';
// `npm run screenshots` refreshes the README's images; an ordinary run writes its screenshots to a temporary folder.
const SCREENSHOTS =
  process.env.FLEXGATE_SCREENSHOTS === 'docs' ? join(PACKAGE_ROOT, 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'flexgate-screenshots-'));

/** `flexgate sandbox` as a user starts it (`npm start` runs the same), at the default speed. */
async function startSandboxProcess(
  dataDir: string,
): Promise<{ child: ChildProcessWithoutNullStreams; ui: string; root: string; exited: Promise<number | string> }> {
  // runFlexgate builds dist/ first, so the process runs what the sources say.
  assert.equal((await runFlexgate('--help')).code, 0);
  const child = spawn(process.execPath, [FLEXGATE_BIN, 'sandbox', '--data-dir', dataDir, '--port', '0', '--ui-port', '0'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const [ui, root] = await new Promise<[string, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the sandbox did not start within 90 s:\n${stdout}\n${stderr}`)), 90_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const ui = /^web UI\s+(\S+)$/m.exec(stdout)?.[1];
      const root = /root CA (\S+)\)/.exec(stdout)?.[1];
      if (ui && root && stdout.includes('Ctrl-C')) {
        clearTimeout(timer);
        resolve([ui, root]);
      }
    });
    void exited.then((code) => reject(new Error(`the sandbox exited (${code}):\n${stdout}\n${stderr}`)));
  });
  return { child, ui, root, exited };
}

describe('the sandbox web UI in Chromium: scenario 1 end to end', function () {
  this.timeout(300_000);
  let dataDir: string;
  let sandbox: Awaited<ReturnType<typeof startSandboxProcess>> | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.warn(`\n  !! SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, or set FLEXGATE_CHROMIUM)\n`);
      this.skip();
    }
    dataDir = mkdtempSync(join(tmpdir(), 'flexgate-sandbox-ui-'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    sandbox = await startSandboxProcess(dataDir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await (await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true })).newPage();
  });

  after(async () => {
    await browser?.close();
    if (sandbox && sandbox.child.exitCode === null) sandbox.child.kill('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const shot = (name: string, fullPage = true) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });

  it('plays scenario 1 in under a minute at the default speed, live on screen', async () => {
    await page.goto(sandbox!.ui);
    await page.getByRole('heading', { name: 'Scenario 1: Simple trade' }).waitFor();
    const started = Date.now();
    await page.click('#play');
    // The page is never reloaded: the timeline fills in through server-sent events.
    await page.locator('#timeline', { hasText: 'Agg_Seller_3 offers 200 kW' }).waitFor({ timeout: 90_000 });
    const seconds = (Date.now() - started) / 1000;
    console.log(`      scenario 1 played end to end in ${seconds.toFixed(1)} s`);
    assert.ok(seconds < 60, `scenario 1 took ${seconds} s`);
    await page.locator('#trades tbody tr').nth(1).waitFor();
    assert.equal(await page.locator('#trades tbody tr').count(), 2);
    await shot('scenario');
  });

  it('shows the merit order re-ordered, the changed rows marked', async () => {
    await page.click('nav >> text=Merit order');
    const after = page.locator('table.mol-after tbody tr');
    await after.first().waitFor();
    assert.deepEqual(
      (await after.allInnerTexts()).slice(0, 4).map((row) => row.split('\t').slice(1, 2).concat(row.split('\t')[4]!).join(' ')),
      ['Agg_Seller_1 -600', 'Agg_Seller_2 -500', 'A1_Buyer 600', 'A2_Buyer 500'],
    );
    // Sellers and buyers that traded, and the two split rows: new instructions or new rows.
    assert.equal(await page.locator('table.mol-after tr.changed').count(), 6);
    assert.equal(await page.locator('table.mol-before tr.changed').count(), 0);
    await shot('merit-order');
  });

  it('shows the OpenADR events per VEN with their stage and the simulated FSPs’ reports', async () => {
    await page.click('nav >> text=OpenADR events');
    await page.locator('section[data-ven="sim-fsp-1"] td', { hasText: 'COMPLETED' }).waitFor({ timeout: 30_000 });
    await page.locator('section[data-ven="sim-fsp-1"] td', { hasText: 'USAGE -600' }).waitFor();
    await page.locator('#all-events td', { hasText: 'A2_Buyer' }).first().waitFor();
    await shot('events');
  });

  it('opens a delivery with its attempts, and redelivers it', async () => {
    await page.click('nav >> text=Deliveries');
    const offline = page.locator('#deliveries tr', { hasText: 'sim-fsp-5' }).locator('a.delivery').first();
    await offline.waitFor({ timeout: 30_000 });
    await shot('deliveries', false);
    await offline.click();
    await page.getByRole('heading', { name: 'Attempts' }).waitFor();
    await shot('delivery');
    await page.click('#redeliver');
    await page.getByRole('heading', { name: 'Attempts' }).waitFor();
    assert.match(await page.locator('main').innerText(), /1 redelivery request/);
  });

  it('downloads the journal bundle, which `flexgate journal verify` verifies with the root CA alone', async () => {
    await page.click('nav >> text=Journal');
    await page.locator('#journal td', { hasText: 'verified' }).first().waitFor();
    assert.equal(await page.locator('#journal .badge.broken').count(), 0);
    await shot('journal');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#journal-bundle')]);
    const file = join(dataDir, 'downloaded-journal.bundle');
    await download.saveAs(file);
    const verify = await runFlexgate('journal', 'verify', file, '--ca', sandbox!.root);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /verified\s+every line, signature and sequence/);
  });

  it('renders the CIM document of the traded list, with a download', async () => {
    await page.click('nav >> text=CIM');
    await page.locator('a', { hasText: 'revision 2 (traded)' }).click();
    await page.locator('pre.xml', { hasText: 'MeritOrderList_MarketDocument' }).waitFor();
    await shot('cim');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#cim-download')]);
    assert.match(download.suggestedFilename(), /^merit-order-list-.*-r2\.xml$/);
  });

  it('stops cleanly on Ctrl-C (SIGINT), the whole process tree', async () => {
    sandbox!.child.kill('SIGINT');
    assert.equal(await sandbox!.exited, 0);
  });
});
