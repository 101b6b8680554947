import type { Static } from '@sinclair/typebox';
import type { DeliveryDetail as DeliveryDetailSchema, DeliveryView, QueueSummary as QueueSummarySchema } from '../../schemas/admin/deliveries.ts';
import type { MeritOrderEntry } from '../../schemas/anm/meritOrderList.ts';
import type { Event } from '../../schemas/openadr/wire.ts';
import { formatUtc, toUkWallTime } from '../../protocol/time/ukTime.ts';
import type { VerifiedJournal } from '../journalView.ts';
import type { PostedMeritOrderList, ScenarioPlayer } from '../orchestrator/scenarioPlayer.ts';
import type { Scenario } from '../scenarioCatalogue.ts';
import type { SimulatedFsp } from '../fsps/simulatedFsp.ts';
import { html, type SafeHtml } from './html.ts';

export const VIEWS = [
  ['/', 'Scenario'],
  ['/mol', 'Merit order'],
  ['/events', 'OpenADR events'],
  ['/deliveries', 'Deliveries'],
  ['/journal', 'Journal'],
  ['/cim', 'CIM'],
] as const;

export const SPEEDS = [1, 60, 300, 1200, 3600] as const;

/** The page around a view; `live` off for views too costly to rebuild on every change. */
export function layout(path: string, title: string, main: SafeHtml, options: { live?: boolean; gatewayUrl: string }): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${title} · flexgate sandbox</title>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <link rel="stylesheet" href="/assets/style.css" />
      </head>
      <body>
        <header>
          <strong>flexgate sandbox</strong>
          <nav>${VIEWS.map(([href, name]) => html`<a href="${href}" class="${href === path ? 'here' : ''}">${name}</a>`)}</nav>
          <span class="muted">gateway ${options.gatewayUrl}</span>
        </header>
        <main data-live="${options.live === false ? 'off' : 'on'}">${main}</main>
        <script src="/assets/live.js"></script>
      </body>
    </html>`;
}

type QueueSummary = Static<typeof QueueSummarySchema>;
type DeliveryDetail = Static<typeof DeliveryDetailSchema>;

const badge = (text: string) => html`<span class="badge ${text}">${text}</span>`;
const ukTime = (iso: string) => {
  const wall = toUkWallTime(Date.parse(iso));
  return `${String(wall.hour).padStart(2, '0')}:${String(wall.minute).padStart(2, '0')}`;
};

// ---- Scenario control, constraints timeline, opportunities, orders and trades

export function scenarioView(player: ScenarioPlayer, scenarios: readonly Scenario[], fspProblems: readonly string[]): SafeHtml {
  const { run } = player;
  const minute = Math.floor(player.position() / 60_000);
  return html`<section>
      <h1>Scenario ${run.scenario.id}: ${run.scenario.title}</h1>
      <p>${run.scenario.description}</p>
      <form class="inline" method="post" action="/control">
        <label
          >Scenario
          <select name="scenario">
            ${scenarios.map((s) => html`<option value="${s.id}" ${s.id === run.scenario.id ? html`selected` : ''}>${s.id}. ${s.title}</option>`)}
          </select></label
        >
        <button name="action" value="load">Load</button>
      </form>
      <form class="inline" method="post" action="/control">
        <button class="primary" name="action" value="play" id="play">Play</button>
        <button name="action" value="pause" id="pause">Pause</button>
        <button name="action" value="reset" id="reset">Reset</button>
        <label
          >Speed
          <select name="speed">
            ${SPEEDS.map((s) => html`<option value="${s}" ${s === player.speed ? html`selected` : ''}>${s}×</option>`)}
          </select></label
        >
        <button name="action" value="speed">Set speed</button>
      </form>
      <p>
        Status ${badge(player.status)} · scenario minute <strong id="minute">${minute}</strong> at ${player.speed}× · trading day ${run.date}
        ${run.gateClosureAt !== undefined ? html` · gate closes at minute ${run.gateClosureAt}` : ''}
      </p>
      ${run.error ? html`<p class="problems">${run.error}</p>` : ''}
      ${fspProblems.length > 0 ? html`<p class="problems">Simulated FSPs not running: ${fspProblems.join('; ')}</p>` : ''}
    </section>
    <section class="timeline">
      <h2>Constraints on ${run.date} (UK time)</h2>
      ${constraintTimeline(player)}
    </section>
    <section>
      <h2>What happened</h2>
      <table id="timeline">
        <thead>
          <tr>
            <th class="num">minute</th>
            <th>step</th>
            <th>detail</th>
          </tr>
        </thead>
        <tbody>
          ${run.timeline.map(
            (t) =>
              html`<tr>
                <td class="num">${t.at}</td>
                <td>${badge(t.kind)}</td>
                <td>${t.text}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <section>
      <h2>Trading opportunities</h2>
      ${opportunities(player)}
    </section>
    <section>
      <h2>Orders</h2>
      <table id="orders">
        <thead>
          <tr>
            <th class="num">minute</th>
            <th>side</th>
            <th>contract</th>
            <th class="num">kW</th>
            <th class="num">availability p/MW/h</th>
            <th class="num">utilisation p/MWh</th>
            <th class="num">filled kW</th>
            <th>status</th>
          </tr>
        </thead>
        <tbody>
          ${run.orders.map(
            (o) =>
              html`<tr>
                <td class="num">${o.at}</td>
                <td>${o.side}</td>
                <td>${o.contractId}</td>
                <td class="num">${o.kW}</td>
                <td class="num">${o.availability}</td>
                <td class="num">${o.utilisation}</td>
                <td class="num">${o.filled_kW}</td>
                <td>${badge(o.status)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <section>
      <h2>Matched trades</h2>
      <table id="trades">
        <thead>
          <tr>
            <th>trade</th>
            <th>seller</th>
            <th>buyer</th>
            <th>service</th>
            <th class="num">kW</th>
            <th class="num">availability p/MW/h</th>
            <th class="num">utilisation p/MWh</th>
            <th>period (UTC)</th>
            <th>state</th>
          </tr>
        </thead>
        <tbody>
          ${run.trades.map((t) => {
            const cancelled = run.cancellations.find((c) => c.tradeId === t.tradeId);
            return html`<tr>
              <td>${t.tradeId}</td>
              <td>${t.sellerContractId}</td>
              <td>${t.buyerContractId}</td>
              <td>${t.service}</td>
              <td class="num">${t.kW}</td>
              <td class="num">${t.availabilityPrice.amount}</td>
              <td class="num">${t.utilisationPrice.amount}</td>
              <td>${t.start} – ${t.end}</td>
              <td>${cancelled ? html`${badge('CANCELLED')} ${cancelled.reason}` : badge('ok')}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </section>`;
}

function constraintTimeline(player: ScenarioPlayer): SafeHtml {
  const { run } = player;
  const dayStart = Date.parse(`${run.date}T00:00:00Z`) - 12 * 3600_000;
  const span = 48 * 3600_000;
  const bars = run.lookAheads.flatMap((l, row) =>
    l.document.constraints.map((c, i) => {
      const start = Date.parse(String(c.start));
      const end = Date.parse(String(c.end));
      const x = ((start - dayStart) / span) * 960 + 20;
      const w = Math.max(((end - start) / span) * 960, 3);
      const y = 24 + (row * 2 + i) * 26;
      return html`<g
        ><rect x="${x}" y="${y}" width="${w}" height="20" fill="${c.direction === 'export' ? '#e0a800' : '#0b6e4f'}"
          ><title>${c.constraintId} ${c.size_kW} kW ${c.direction ?? ''} ${c.start} – ${c.end}</title></rect
        >
        <text x="${x + w + 6}" y="${y + 14}" font-size="12"
          >${c.constraintId} ${c.size_kW} kW ${c.direction ?? ''} ${ukTime(String(c.start))}–${ukTime(String(c.end))} (${l.purpose})</text
        ></g
      >`;
    }),
  );
  const height = 40 + Math.max(bars.length, 1) * 26;
  const ticks = Array.from({ length: 9 }, (_, i) => {
    const at = dayStart + i * 6 * 3600_000;
    const x = 20 + i * 120;
    return html`<g
      ><line x1="${x}" x2="${x}" y1="14" y2="200" stroke="#d5dbe2" /><text x="${x + 2}" y="12" font-size="11" fill="#5b6775"
        >${formatUtc(at).slice(5, 16).replace('T', ' ')}Z</text
      ></g
    >`;
  });
  return html`<svg viewBox="0 0 1200 ${height}" role="img" aria-label="constraints timeline">${ticks}${bars}</svg>
    ${run.lookAheads.length === 0 ? html`<p class="muted">No look-ahead posted yet: press Play.</p>` : ''}`;
}

function opportunities(player: ScenarioPlayer): SafeHtml {
  const report = player.run.opportunities;
  if (!report) return html`<p class="muted">Read from the gateway at gate closure (<code>GET /anm/v1/constraint-look-aheads/{id}/opportunities</code>).</p>`;
  return html`${report.constraints.map(
    (c) =>
      html`<h3>${c.constraintId} · ${c.size_kW} kW ${c.direction ?? ''} · ${c.start} – ${c.end}</h3>
        <table>
          <thead>
            <tr>
              <th>contract</th>
              <th>opportunity</th>
              <th>service</th>
              <th class="num">capacity kW</th>
              <th class="num">traded kW</th>
            </tr>
          </thead>
          <tbody>
            ${c.opportunities.map(
              (o) =>
                html`<tr>
                  <td>${o.contractId}</td>
                  <td>${o.opportunity}</td>
                  <td>${o.service ?? ''}</td>
                  <td class="num">${o.capacity_kW}</td>
                  <td class="num">${o.traded_kW}</td>
                </tr>`,
            )}
          </tbody>
        </table>
        <p class="muted">
          Not tradeable:
          ${
            c.meritOrder
              .filter((e) => !e.tradeable)
              .map((e) => `${e.contractId} (${e.exclusion ?? ''})`)
              .join(', ') || 'none'
          }
        </p>`,
  )}`;
}

// ---- Merit order before and after trading

const rowKey = (e: MeritOrderEntry) => `${e.value_kW}|${e.traded}`;

/** How a row of the re-ordered list differs from the original: new or re-valued (changed), or only at another position (moved). */
interface RowChange {
  changed: boolean;
  from?: number;
}

export function meritOrderView(lists: readonly PostedMeritOrderList[]): SafeHtml {
  if (lists.length === 0)
    return html`<section>
      <h1>Merit order</h1>
      <p class="muted">No merit order list posted yet.</p>
    </section>`;
  return html`${lists.map((list) => {
    const before = list.original;
    const after = list.current?.entries;
    const beforeOf = new Map(before.map((e) => [e.contractId, e]));
    const change = (e: MeritOrderEntry): RowChange => {
      const was = beforeOf.get(e.contractId);
      if (!was || rowKey(was) !== rowKey(e)) return { changed: true };
      return was.order === e.order ? { changed: false } : { changed: false, from: was.order };
    };
    return html`<section class="mol" data-list="${list.id}">
      <h1>Merit order list ${list.id}</h1>
      <p class="muted">
        Posted at scenario minute ${list.at}.
        <a href="/cim?list=${encodeURIComponent(list.id)}">CIM document</a
        >${after ? html` · <a href="/cim?list=${encodeURIComponent(list.id)}&revision=${list.current!.revision}">CIM of revision ${list.current!.revision}</a>` : ''}
      </p>
      <p class="muted">Marked: rows new or with a new instruction after trading; “was N”: same row, another position.</p>
      <div class="side-by-side">
        <div>
          <h2>Before trading (revision 1)</h2>
          ${molTable(before, () => ({ changed: false }), 'before')}
        </div>
        <div>
          <h2>${after ? `After trading (revision ${list.current!.revision})` : 'After trading'}</h2>
          ${after ? molTable(after, change, 'after') : html`<p class="muted">Not traded yet: the gate closes two hours after publication.</p>`}
        </div>
      </div>
    </section>`;
  })}`;
}

function molTable(entries: readonly MeritOrderEntry[], change: (e: MeritOrderEntry) => RowChange, which: string): SafeHtml {
  return html`<table class="mol-${which}">
    <thead>
      <tr>
        <th class="num">order</th>
        <th>contract</th>
        <th>resource</th>
        <th>activity</th>
        <th class="num">value kW</th>
        <th class="num">MIC</th>
        <th class="num">MEC</th>
        <th>traded</th>
        <th></th>
      </tr>
    </thead>
    <tbody>
      ${entries.map((e) => {
        const { changed, from } = change(e);
        return html`<tr class="${changed ? 'changed' : ''}">
          <td class="num">${e.order}</td>
          <td>${e.contractId}</td>
          <td>${e.resourceId}</td>
          <td>${e.activity}</td>
          <td class="num">${e.value_kW}</td>
          <td class="num">${e.mic_kW}</td>
          <td class="num">${e.mec_kW}</td>
          <td>${e.traded ? 'yes' : ''}</td>
          <td class="muted">${from ? `was ${from}` : ''}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

// ---- OpenADR events per VEN

const eventContract = (event: Event) => /contract (\S+)$/.exec(event.eventName ?? '')?.[1] ?? '';
const eventValues = (event: Event) => (event.intervals ?? []).map((i) => `${i.payloads[0]?.type ?? ''} ${i.payloads[0]?.values.join(' ') ?? ''}`).join('; ');
const stageOf = (event: Event) => String((event as Event & { dispatchStage?: string }).dispatchStage ?? '');

export function eventsView(fsps: readonly SimulatedFsp[], all: readonly Event[]): SafeHtml {
  return html`${fsps.map(
      (fsp) =>
        html`<section class="ven" data-ven="${fsp.config.id}">
          <h1>${fsp.config.id}-ven <span class="muted">${fsp.party}</span></h1>
          <p>Notifications by ${badge(fsp.channelInUse)} · misbehaviour ${badge(fsp.config.misbehaviour)} · targets ${fsp.config.resources.join(', ')}</p>
          ${fsp.problems.length > 0 ? html`<p class="problems">${fsp.problems.join('; ')}</p>` : ''}
          <table>
            <thead>
              <tr>
                <th>event</th>
                <th>contract</th>
                <th>stage</th>
                <th>start (UTC)</th>
                <th>instruction</th>
                <th class="num">notifications</th>
                <th>report</th>
              </tr>
            </thead>
            <tbody>
              ${[...fsp.events.values()].map(
                (seen) =>
                  html`<tr>
                    <td>${seen.event.id}</td>
                    <td>${eventContract(seen.event)}</td>
                    <td>${badge(stageOf(seen.event))}</td>
                    <td>${seen.event.intervalPeriod?.start ?? ''}</td>
                    <td>${eventValues(seen.event)}</td>
                    <td class="num">${seen.notifications} (${seen.channel})</td>
                    <td>
                      ${seen.report ? html`USAGE ${seen.report.values.join(' ')} at ${seen.report.at.slice(11, 19)}Z` : seen.reportError ? html`<span class="problems">${seen.reportError}</span>` : html`<span class="muted">${fsp.config.misbehaviour === 'late-report' ? 'late…' : 'none'}</span>`}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </section>`,
    )}
    <section>
      <h2>Every event (the DSO's view)</h2>
      <table id="all-events">
        <thead>
          <tr>
            <th>event</th>
            <th>contract</th>
            <th>targets</th>
            <th>stage</th>
            <th>start (UTC)</th>
            <th>instruction</th>
          </tr>
        </thead>
        <tbody>
          ${all.map(
            (e) =>
              html`<tr>
                <td>${e.id}</td>
                <td>${eventContract(e)}</td>
                <td>${(e.targets ?? []).join(', ')}</td>
                <td>${badge(stageOf(e))}</td>
                <td>${e.intervalPeriod?.start ?? ''}</td>
                <td>${eventValues(e)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
}

// ---- Deliveries

export function deliveriesView(deliveries: readonly DeliveryView[], queues: readonly QueueSummary[]): SafeHtml {
  return html`<section>
      <h1>Delivery queues</h1>
      <table>
        <thead>
          <tr>
            <th>subscriber</th>
            <th class="num">pending</th>
            <th class="num">retrying</th>
            <th class="num">delivered</th>
            <th class="num">dead-lettered</th>
            <th>next attempt</th>
          </tr>
        </thead>
        <tbody>
          ${queues.map(
            (q) =>
              html`<tr>
                <td>${q.subscriberKey}</td>
                <td class="num">${q.pending}</td>
                <td class="num">${q.retrying}</td>
                <td class="num">${q.delivered}</td>
                <td class="num">${q.dead}</td>
                <td>${q.nextAttemptAt ?? ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <section>
      <h2>Deliveries (newest first)</h2>
      <table id="deliveries">
        <thead>
          <tr>
            <th>delivery</th>
            <th>subscriber</th>
            <th>channel</th>
            <th>state</th>
            <th class="num">attempts</th>
            <th>last error</th>
            <th>created</th>
          </tr>
        </thead>
        <tbody>
          ${deliveries.map(
            (d) =>
              html`<tr>
                <td><a class="delivery" href="/deliveries/${encodeURIComponent(d.id)}">${d.id.slice(0, 13)}</a></td>
                <td>${d.subscriberKey}</td>
                <td>${d.channel.kind === 'webhook' ? d.channel.url : d.channel.topic}</td>
                <td>${badge(d.state)}</td>
                <td class="num">${d.attempts}</td>
                <td>${d.lastError ? `${d.lastError.code} ${d.lastError.detail ?? ''}` : ''}</td>
                <td>${d.createdAt}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
}

export function deliveryView(d: DeliveryDetail): SafeHtml {
  return html`<section>
    <h1>Delivery ${d.id}</h1>
    <p>
      ${badge(d.state)} · ${d.attempts} attempt(s), ${d.redeliveries} redelivery request(s) · to
      ${d.channel.kind === 'webhook' ? d.channel.url : d.channel.topic} · idempotency key <code>${d.idempotencyKey}</code>
    </p>
    <form method="post" action="/deliveries/${encodeURIComponent(d.id)}/redeliver"><button class="primary" id="redeliver">Redeliver</button></form>
    <h2>Attempts</h2>
    <table>
      <thead>
        <tr>
          <th class="num">#</th>
          <th>started</th>
          <th>outcome</th>
          <th class="num">status</th>
          <th>error</th>
        </tr>
      </thead>
      <tbody>
        ${d.attemptHistory.map(
          (a) =>
            html`<tr>
              <td class="num">${a.attempt}</td>
              <td>${a.startedAt}</td>
              <td>${a.outcome ?? 'cut off'}</td>
              <td class="num">${a.statusCode ?? ''}</td>
              <td>${a.error ? `${a.error.code} ${a.error.detail ?? ''}` : ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Body</h2>
    <pre class="xml">${d.body.encoding === 'utf-8' ? prettyJson(d.body.data) : d.body.data}</pre>
  </section>`;
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

// ---- Journal

export function journalView(journal: VerifiedJournal, rootCertificatePath: string): SafeHtml {
  return html`<section>
    <h1>Journal</h1>
    <p>
      Every message the gateway accepted, exported as a signed bundle at ${journal.exportedAt ?? ''} and verified with only the root CA:
      ${journal.ok ? badge('verified') : badge('broken')} ·
      <a id="journal-bundle" href="/journal/bundle" download="journal.bundle">Download the verifiable journal bundle</a> · <a href="/journal">Export again</a>
    </p>
    <p class="muted">Check it yourself: <code>flexgate journal verify journal.bundle --ca ${rootCertificatePath}</code></p>
    <table id="journal">
      <thead>
        <tr>
          <th class="num">#</th>
          <th>received</th>
          <th>request</th>
          <th>sender</th>
          <th>signature</th>
          <th>produced</th>
        </tr>
      </thead>
      <tbody>
        ${[...journal.lines].reverse().map(
          (l) =>
            html`<tr>
              <td class="num">${l.entry.journalSeq}</td>
              <td>${l.entry.receivedAt}</td>
              <td>${l.entry.method} ${l.entry.path}</td>
              <td>${l.entry.sender ?? ''}</td>
              <td>${badge(l.result)}</td>
              <td>${l.entry.derived.map((d) => `${d.kind} ${d.id.slice(0, 8)} r${d.revision}`).join(', ')}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

// ---- CIM

export function cimView(lists: readonly PostedMeritOrderList[], chosen: { id: string; revision?: number } | undefined, xml: string | undefined): SafeHtml {
  const query = (id: string, revision?: number) => `list=${encodeURIComponent(id)}${revision ? `&revision=${revision}` : ''}`;
  return html`<section>
      <h1>CIM documents of the merit order lists</h1>
      <ul>
        ${lists.map(
          (l) =>
            html`<li>
              ${l.id}:
              <a href="/cim?${query(l.id, 1)}">revision 1</a
              >${l.current ? html` · <a href="/cim?${query(l.id, l.current.revision)}">revision ${l.current.revision} (traded)</a>` : ''}
            </li>`,
        )}
      </ul>
      ${lists.length === 0 ? html`<p class="muted">No merit order list posted yet.</p>` : ''}
    </section>
    ${
      chosen && xml !== undefined
        ? html`<section>
            <h2>
              ${chosen.id}${chosen.revision ? ` revision ${chosen.revision}` : ''}
              <a id="cim-download" href="/cim?${query(chosen.id, chosen.revision)}&download=1">Download XML</a>
            </h2>
            <pre class="xml">${xml}</pre>
          </section>`
        : ''
    }`;
}
