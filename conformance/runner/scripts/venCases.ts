import type { Report } from '../../../schemas/openadr/wire.ts';
import type { CaseContext, Script } from '../caseContext.ts';
import { CaseFailed } from '../exchange.ts';
import { PartyUnavailable } from '../target.ts';
import { VARIED_KW, type Learned, type VenProgramme } from '../venProgramme.ts';

/** A `ven` case: the programme's phase it needs, then its judgement; the programme's timeline goes into the case's notes either way. */
const venCase =
  (judge: (programme: VenProgramme, params: Record<string, unknown>, context: CaseContext) => Promise<void>): Script =>
  async (context, params) => {
    const programme = context.venProgramme;
    if (!programme) throw new PartyUnavailable('The ven role needs a VEN under test: give --ven-command, or start it by hand (--wait)');
    try {
      await judge(programme, params, context);
    } finally {
      for (const line of programme.timeline) context.note(line);
    }
  };

function mustHaveLearned(learned: Learned, what: string, programme: VenProgramme): void {
  if (!learned) throw new CaseFailed(`the VEN neither fetched the events nor took a notification within ${programme.timings.actMs / 1000} s of ${what}`);
}

export const venRegisters = venCase(async (programme) => {
  await programme.registration();
});

export const venLearnsOfCreation = venCase(async (programme) => {
  mustHaveLearned((await programme.dispatch()).learnedOfCreation, 'a new event', programme);
});

export const venLearnsOfVariation = venCase(async (programme) => {
  mustHaveLearned((await programme.dispatch()).learnedOfVariation, 'the variation of its instruction', programme);
});

export const venSubscribes = venCase(async (programme) => {
  await programme.registration();
  const operations = (await programme.subscriptions()).flatMap((s) => s.objectOperations).filter((o) => o.objects.includes('EVENT'));
  const covered = new Set(operations.flatMap((o) => o.operations));
  const missing = ['CREATE', 'UPDATE', 'DELETE'].filter((operation) => !covered.has(operation as never));
  if (missing.length) throw new CaseFailed(`the VEN's subscriptions do not cover ${missing.join(', ')} of EVENT (it may poll instead)`);
});

export const venDeclaresAvailability = venCase(async (programme) => {
  const { declaration, stageAfterDeclaration } = await programme.dispatch();
  if (!declaration) throw new CaseFailed('the VEN declared no availability on a request for services that asked for it');
  const types = new Set(declaration.resources.flatMap((r) => r.intervals.flatMap((i) => i.payloads.map((p) => p.type))));
  const missing = ['ENERGY_SOURCE_TYPE', 'ASSET_GROUP_ID'].filter((type) => !types.has(type));
  if (missing.length) throw new CaseFailed(`the declaration lacks ${missing.join(', ')}`);
  if (stageAfterDeclaration !== 'DECLARED') throw new CaseFailed(`the event is ${stageAfterDeclaration ?? 'gone'} after the declaration, not DECLARED`);
});

export const venReportsInLifecycle = venCase(async (programme) => {
  const { refusedReports } = await programme.dispatch();
  if (refusedReports.length) throw new CaseFailed(`the VTN refused reports the VEN posted out of the lifecycle: ${refusedReports.join('; ')}`);
});

export const venReportsAfterCease = venCase(async (programme) => {
  const { postAction, stageAfterReport } = await programme.dispatch();
  if (!postAction) throw new CaseFailed('the VEN posted no USAGE report after the dispatch ceased');
  if (stageAfterReport !== 'COMPLETED') throw new CaseFailed(`the dispatch is ${stageAfterReport ?? 'gone'} after the report, not COMPLETED`);
});

function postActionOf(report: Report | undefined): Report {
  if (!report) throw new CaseFailed('the VEN posted no USAGE report to judge');
  return report;
}

export const venReportMatchesDescriptors = venCase(async (programme) => {
  const { postAction, instructed } = await programme.dispatch();
  const report = postActionOf(postAction);
  const asked = instructed.reportDescriptors?.find((d) => d.payloadType === 'USAGE');
  const described = report.payloadDescriptors?.find((d) => d.payloadType === 'USAGE');
  const faults: string[] = [];
  if (!described) faults.push('its payloadDescriptors describe no USAGE payload');
  else {
    if ((described.units ?? '').toUpperCase() !== (asked?.units ?? '').toUpperCase())
      faults.push(`units ${described.units ?? '(none)'}, asked ${asked?.units}`);
    if (asked?.readingType && described.readingType !== asked.readingType)
      faults.push(`readingType ${described.readingType ?? '(none)'}, asked ${asked.readingType}`);
  }
  const wanted = (instructed.intervals ?? []).map((i) => i.id).sort();
  for (const resource of report.resources) {
    const ids = resource.intervals.map((i) => i.id).sort();
    if (JSON.stringify(ids) !== JSON.stringify(wanted)) faults.push(`resource ${resource.resourceName} reports intervals [${ids}], the event has [${wanted}]`);
    for (const interval of resource.intervals) {
      const usage = interval.payloads.find((p) => p.type === 'USAGE');
      if (!usage || usage.values.length !== 1 || typeof usage.values[0] !== 'number')
        faults.push(`interval ${interval.id} of ${resource.resourceName} has no single numeric USAGE value`);
    }
  }
  if (faults.length) throw new CaseFailed(`the USAGE report is not what the event's reportDescriptors ask for: ${faults.join('; ')}`);
});

export const venReportMagnitude = venCase(async (programme, params) => {
  const factor = Number(params.factor ?? 10);
  const report = postActionOf((await programme.dispatch()).postAction);
  const values = report.resources.flatMap((r) => r.intervals.flatMap((i) => i.payloads.filter((p) => p.type === 'USAGE').flatMap((p) => p.values)));
  const outside = values.filter((v) => typeof v !== 'number' || Math.abs(v) < VARIED_KW / factor || Math.abs(v) > VARIED_KW * factor);
  if (!values.length || outside.length)
    throw new CaseFailed(
      `USAGE values [${values.join(', ')}] KW for an instruction of ${VARIED_KW} kW: not within a factor of ${factor} (MW or W sent as kW?)`,
    );
});

export const venStopsOnCancellation = venCase(async (programme) => {
  const { learned, cancelStatus, reportsAfterCancel } = await programme.cancellation();
  mustHaveLearned(learned, 'a new event', programme);
  if (cancelStatus !== 200)
    throw new CaseFailed(`the test VTN could not cancel the event (${cancelStatus}): the VEN reported on it before its intervals ended`);
  if (reportsAfterCancel.length) throw new CaseFailed(`the VEN posted reports after the event was cancelled: ${reportsAfterCancel.join('; ')}`);
});

export const venRefusesNotification = venCase(async (programme, params, context) => {
  const how = params.how === 'unsigned' ? 'unsigned' : 'forged';
  const forgery = await programme.forgery();
  if (!forgery.webhook) return context.note('not applicable: the VEN has no webhook subscription (it polls)');
  const status = how === 'forged' ? forgery.forgedAnswer : forgery.unsignedAnswer;
  if (status === undefined || status < 400 || status >= 500)
    throw new CaseFailed(`the VEN's webhook answered a${how === 'forged' ? ' forged' : 'n unsigned'} notification with ${status || 'no answer'}, not 4xx`);
});

export const venIgnoresForgedEvents = venCase(async (programme, _params, context) => {
  const forgery = await programme.forgery();
  if (!forgery.webhook) return context.note('not applicable: the VEN has no webhook subscription (it polls)');
  if (forgery.actedOn.length) throw new CaseFailed(`the VEN acted on events only forged notifications announced: ${forgery.actedOn.join('; ')}`);
});
