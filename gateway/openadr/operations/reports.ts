import { AVAILABILITY_PAYLOADS, DECLARATION_PAYLOADS, type Event, type Program, type Report, type ReportRequest } from '../../../schemas/openadr/wire.ts';
import { Problem, ProblemCollector } from '../../../protocol/problem.ts';
import type { DerivedReference } from '../../store/journal.ts';
import { reportStep } from '../lifecycle.ts';
import { deleteObject, insertObject, updateObject } from '../objectWrites.ts';
import { findObject, listObjects, type StoredObject } from '../objectTable.ts';
import { ownedBy, requiresSignatures, targetFilter } from '../privacy.ts';
import { advanceEventObject } from './events.ts';
import { created, newMetadata, notFound, ok, page, queryString, reference, stamped, updatedMetadata } from './operation.ts';
import type { OperationContext, OperationTable } from './operation.ts';

/**
 * The event a VEN reports on: one it was sent. Anything else — no such event,
 * or one targeted at another VEN — is the same refusal, so a VEN learns
 * nothing about events that are not its own.
 */
async function reportedEvent({ db, request }: OperationContext, eventID: string): Promise<StoredObject<Event>> {
  const event = await findObject<Event>(db, 'EVENT', eventID);
  if (!event || !(await targetFilter(db, request.principal))(event)) {
    throw new Problem('openadr.lifecycle-unknown-event', `No event ${eventID} was sent to this client: report only on events GET /events shows it`, {
      pointer: '/eventID',
    });
  }
  return event;
}

/** Program policy: reports on its events must be signed when configured so or when the program carries the attribute. */
async function enforceProgramSignaturePolicy(context: OperationContext, event: StoredObject<Event>): Promise<void> {
  if (context.request.signed) return;
  const program = await findObject<Program>(context.db, 'PROGRAM', event.body.programID);
  if (!program) return;
  const configured = context.config.programs.some((p) => p.programName === program.body.programName && p.signaturesRequired);
  if (configured || requiresSignatures(program.body.attributes)) {
    throw new Problem(
      'openadr.signature-required',
      `Program ${program.body.programName} requires reports to carry the flexgate signature: sign them (x-jws-signature) with this client certificate's key`,
    );
  }
}

/** A declaration of availability names, per resource, its energy source type and asset group (R4; confidence is optional). */
function checkDeclaration(report: ReportRequest): void {
  const problems = new ProblemCollector();
  report.resources.forEach((resource, r) => {
    resource.intervals.forEach((interval, i) => {
      const types = new Set(interval.payloads.map((p) => p.type));
      if (!AVAILABILITY_PAYLOADS.some((t) => types.has(t))) return;
      for (const required of [DECLARATION_PAYLOADS.energySourceType, DECLARATION_PAYLOADS.assetGroupId]) {
        const payload = interval.payloads.find((p) => p.type === required);
        if (!payload || typeof payload.values[0] !== 'string') {
          problems.add(
            'openadr.lifecycle-declaration-invalid',
            `A declaration of availability needs a ${required} payload with a string value: add it to this interval`,
            {
              pointer: `/resources/${r}/intervals/${i}/payloads`,
            },
          );
        }
      }
    });
  });
  problems.throwIfAny();
}

/** What the report does to its event's dispatch: declaration, status or post-action (README, "Dispatch lifecycle"). */
async function applyToDispatch(context: OperationContext, body: ReportRequest): Promise<DerivedReference[]> {
  const event = await reportedEvent(context, body.eventID);
  await enforceProgramSignaturePolicy(context, event);
  const types = new Set(body.resources.flatMap((r) => r.intervals.flatMap((i) => i.payloads.map((p) => p.type))));
  const step = reportStep(types);
  if (step.kind === 'declaration') checkDeclaration(body);
  return advanceEventObject(context.db, event, step, context.now);
}

async function visibleReport({ db, request }: OperationContext, id: string): Promise<StoredObject<Report>> {
  const report = await findObject<Report>(db, 'REPORT', id);
  if (!report || !ownedBy(report, request.principal)) throw notFound('report', id);
  return report;
}

export const reportOperations: OperationTable = {
  reads: {
    async searchAllReports({ db, request }) {
      const programID = queryString(request.query.programID);
      const eventID = queryString(request.query.eventID);
      const clientName = queryString(request.query.clientName);
      const reports = (await listObjects<Report>(db, 'REPORT', request.principal.businessLogic ? {} : { clientId: request.principal.clientId }))
        .filter((r) => !programID || r.programId === programID)
        .filter((r) => !eventID || r.eventId === eventID)
        .filter((r) => !clientName || r.body.clientName === clientName);
      return ok(page(reports, request.query).map((r) => r.body));
    },
    async searchReportsByReportID(context) {
      return ok((await visibleReport(context, context.request.params.reportID!)).body);
    },
  },
  writes: {
    async createReport(context) {
      const { db, request, now } = context;
      const body = request.body as ReportRequest;
      const derived = await applyToDispatch(context, body);
      const event = await findObject<Event>(db, 'EVENT', body.eventID);
      const report: Report = { ...stamped(newMetadata('REPORT', now), body), clientID: request.principal.clientId };
      await insertObject(db, {
        id: report.id,
        objectType: 'REPORT',
        clientId: request.principal.clientId,
        venId: null,
        programId: event?.programId ?? null,
        eventId: body.eventID,
        name: body.reportName ?? null,
        targets: [],
        body: report,
        sourceKey: null,
        lifecycle: null,
        createdAt: now,
      });
      return created(report, [reference(report, 1), ...derived]);
    },
    async updateReport(context) {
      const { db, request, now } = context;
      const previous = await visibleReport(context, request.params.reportID!);
      const body = request.body as ReportRequest;
      const derived = await applyToDispatch(context, body);
      const event = await findObject<Event>(db, 'EVENT', body.eventID);
      const report: Report = { ...stamped(updatedMetadata(previous, now), body), clientID: previous.body.clientID };
      await updateObject(db, previous, {
        ...previous,
        programId: event?.programId ?? null,
        eventId: body.eventID,
        name: body.reportName ?? null,
        body: report,
        modifiedAt: now,
      });
      return ok(report, [reference(report, previous.version + 1), ...derived]);
    },
    async deleteReport(context) {
      const previous = await visibleReport(context, context.request.params.reportID!);
      await deleteObject(context.db, previous);
      return ok(previous.body, [reference(previous.body, previous.version + 1)]);
    },
  },
};
