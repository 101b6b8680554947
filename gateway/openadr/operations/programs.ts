import type { Program, ProgramRequest } from '../../../schemas/openadr/wire.ts';
import { Problem } from '../../../protocol/problem.ts';
import type { StoreExecutor } from '../../store/store.ts';
import { deleteObject, insertObject, updateObject } from '../objectWrites.ts';
import { findObject, listObjects, type StoredObject } from '../objectTable.ts';
import { targetFilter } from '../privacy.ts';
import { created, newMetadata, notFound, ok, page, queryList, reference, stamped, updatedMetadata } from './operation.ts';
import type { OperationContext, OperationTable } from './operation.ts';

async function requireUniqueName(db: StoreExecutor, programName: string, exceptId?: string): Promise<void> {
  const clash = (await listObjects(db, 'PROGRAM', { name: programName })).find((p) => p.id !== exceptId);
  if (clash) throw new Problem('openadr.name-taken', `Program name ${programName} is used by program ${clash.id}`, { pointer: '/programName' });
}

export async function visibleProgram({ db, request }: OperationContext, id: string): Promise<StoredObject<Program>> {
  const program = await findObject<Program>(db, 'PROGRAM', id);
  if (!program || !(await targetFilter(db, request.principal))(program)) throw notFound('program', id);
  return program;
}

/** Stores a new program from a request; shared with the programs created from configuration. */
export async function createProgramObject(db: StoreExecutor, body: ProgramRequest, now: string): Promise<Program> {
  await requireUniqueName(db, body.programName);
  const program: Program = stamped(newMetadata('PROGRAM', now), body);
  await insertObject(db, {
    id: program.id,
    objectType: 'PROGRAM',
    clientId: null,
    venId: null,
    programId: null,
    eventId: null,
    name: body.programName,
    targets: body.targets ?? [],
    body: program,
    sourceKey: null,
    lifecycle: null,
    createdAt: now,
  });
  return program;
}

export const programOperations: OperationTable = {
  reads: {
    async searchAllPrograms({ db, request }) {
      const visible = await targetFilter(db, request.principal);
      const wanted = queryList(request.query.targets);
      const programs = (await listObjects<Program>(db, 'PROGRAM')).filter(visible).filter((p) => !wanted || p.targets.some((t) => wanted.includes(t)));
      return ok(page(programs, request.query).map((p) => p.body));
    },
    async searchProgramByProgramId(context) {
      return ok((await visibleProgram(context, context.request.params.programID!)).body);
    },
  },
  writes: {
    async createProgram({ db, request, now }) {
      const program = await createProgramObject(db, request.body as ProgramRequest, now);
      return created(program, [reference(program, 1)]);
    },
    async updateProgram(context) {
      const { db, request, now } = context;
      const previous = await visibleProgram(context, request.params.programID!);
      const body = request.body as ProgramRequest;
      await requireUniqueName(db, body.programName, previous.id);
      const program: Program = stamped(updatedMetadata(previous, now), body);
      await updateObject(db, previous, { ...previous, name: body.programName, targets: body.targets ?? [], body: program, modifiedAt: now });
      return ok(program, [reference(program, previous.version + 1)]);
    },
    async deleteProgram(context) {
      const { db, request } = context;
      const program = await visibleProgram(context, request.params.programID!);
      const events = await listObjects(db, 'EVENT', { programId: program.id, live: true });
      if (events.length > 0) throw new Problem('openadr.invalid-request', `Program ${program.id} still has ${events.length} event(s); delete them first`);
      await deleteObject(db, program);
      return ok(program.body, [reference(program.body, program.version + 1)]);
    },
  },
};
