import assert from 'node:assert/strict';
import { Problem } from '../../protocol/problem.ts';
import type { ProblemCode } from '../../schemas/problems.ts';
import { cimDocumentOf, DEFAULT_CIM_PARTIES } from '../cim/outbound.ts';
import { decodeAnmDocument, type AnmMediaType } from './decode.ts';
import { DEFAULT_DOCUMENT_LIMITS } from './documentLimits.ts';

const TSV = 'text/tab-separated-values';
const MOL_HEADER = 'Order\tContract Id\tResource Id\tOperation Type\tValue\tValue Units\tMIC kW\tMEC kW\tActivity\tTraded\tRegistered';
const molRow = (k: number, contractId = `C${k}`) => `${k}\t${contractId}\tR${k}\tConstrainedDemand\t0\tkW\t700\t1200\tBuyer\tfalse\ttrue`;
const molTable = (n: number) => [MOL_HEADER, ...Array.from({ length: n }, (_, k) => molRow(k + 1))].join('\n');

function refusal(run: () => unknown): { code: ProblemCode; row?: number | undefined; pointer?: string | undefined } | 'accepted' {
  try {
    run();
    return 'accepted';
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    const [first] = error.items;
    return { code: error.code, row: first?.row, pointer: first?.pointer };
  }
}

const lookAhead = (hours: number, resources: number) => ({
  constraints: [
    {
      constraintId: 'C1',
      start: '2024-10-18T00:00:00Z',
      end: new Date(Date.parse('2024-10-18T00:00:00Z') + hours * 3_600_000).toISOString(),
      size_kW: 100,
      resources: Array.from({ length: resources }, (_, k) => ({ resourceId: `R${k}` })),
    },
  ],
});
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const decodeWith = (kind: 'merit-order-list' | 'constraint-look-ahead', body: Buffer, mediaType: AnmMediaType, limits = {}) =>
  decodeAnmDocument(kind, body, mediaType, { ...DEFAULT_DOCUMENT_LIMITS, ...limits });

describe('document budgets at intake (issue 14)', () => {
  it('refuses a constraint longer than maxConstraintHours and accepts one right at it', () => {
    assert.equal(
      refusal(() => decodeWith('constraint-look-ahead', json(lookAhead(48, 1)), 'application/json', { maxConstraintHours: 48 })),
      'accepted',
    );
    assert.deepEqual(
      refusal(() => decodeWith('constraint-look-ahead', json(lookAhead(48.5, 1)), 'application/json', { maxConstraintHours: 48 })),
      {
        code: 'anm.constraint-too-long',
        row: undefined,
        pointer: '/constraints/0/end',
      },
    );
  });

  it('counts CIM points as settlement periods × the resources each Point repeats', () => {
    // 24 h = 48 periods; × 10 resources = 480 points.
    assert.equal(
      refusal(() => decodeWith('constraint-look-ahead', json(lookAhead(24, 10)), 'application/json', { maxPointsPerDocument: 480 })),
      'accepted',
    );
    assert.equal(
      (refusal(() => decodeWith('constraint-look-ahead', json(lookAhead(24, 11)), 'application/json', { maxPointsPerDocument: 480 })) as { code: string }).code,
      'cim.too-many-points',
    );
  });

  it('refuses more merit order entries than maxDocumentEntries', () => {
    assert.equal(
      refusal(() => decodeWith('merit-order-list', Buffer.from(molTable(3)), TSV, { maxDocumentEntries: 3 })),
      'accepted',
    );
    assert.equal(
      (refusal(() => decodeWith('merit-order-list', Buffer.from(molTable(4)), TSV, { maxDocumentEntries: 3 })) as { code: string }).code,
      'anm.too-many-entries',
    );
  });

  it('stops reading a table at the first row beyond maxTableRows, and at a cell longer than maxTextLength', () => {
    assert.equal(
      refusal(() => decodeWith('merit-order-list', Buffer.from(molTable(4)), TSV, { maxTableRows: 5 })),
      'accepted',
    );
    assert.deepEqual(
      refusal(() => decodeWith('merit-order-list', Buffer.from(molTable(5)), TSV, { maxTableRows: 5 })),
      {
        code: 'tabular.too-many-rows',
        row: 6,
        pointer: undefined,
      },
    );
    const long = [MOL_HEADER, molRow(1, 'x'.repeat(65))].join('\n');
    assert.equal(
      (refusal(() => decodeWith('merit-order-list', Buffer.from(long), TSV, { maxTextLength: 64 })) as { code: string }).code,
      'tabular.cell-too-long',
    );
  });

  it('applies the identifier alphabet to tables as to JSON, located at the cell', () => {
    for (const contractId of ['A\uffff', 'A\ufffe', 'A\u0085B']) {
      const table = [MOL_HEADER, molRow(1, contractId)].join('\n');
      assert.deepEqual(
        refusal(() => decodeWith('merit-order-list', Buffer.from(table), TSV)),
        { code: 'schema.violation', row: 2, pointer: '/entries/0/contractId' },
      );
    }
  });

  it('serves no CIM document for a look-ahead stored before the budgets, rather than exhaust the heap', () => {
    const stored = {
      seq: 1,
      id: 'b7d0c5f4-5b4a-4b0e-9e59-0a4f7f0f6a01',
      kind: 'constraint-look-ahead',
      revision: 1,
      currentRevision: 1,
      acceptedAt: '2024-10-17T13:00:00Z',
      createdAt: '2024-10-17T13:00:00Z',
      body: JSON.stringify({ constraints: [{ ...lookAhead(1, 1).constraints[0], end: '2099-10-18T00:00:00Z' }] }),
    };
    assert.equal((refusal(() => cimDocumentOf(stored, DEFAULT_CIM_PARTIES)) as { code: string }).code, 'cim.too-many-points');
  });
});
