import assert from 'node:assert/strict';
import fc from 'fast-check';
import { allInPrice, GATE_CLOSURE_MS, matchOrders, type Order, type OrderBook } from './matching.ts';

const seed = Number(process.env.FLEXGATE_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const runs = { seed, numRuns: 500 };
const PUBLISHED = Date.UTC(2024, 9, 17, 13, 0);

/** Random books: a few buyer and seller contracts, several orders each, some after gate closure, some contracts without capacity. */
const books: fc.Arbitrary<OrderBook> = fc
  .record({
    buyers: fc.integer({ min: 1, max: 4 }),
    sellers: fc.integer({ min: 1, max: 5 }),
    capacities: fc.array(fc.integer({ min: 0, max: 800 }), { minLength: 9, maxLength: 9 }),
    orders: fc.array(
      fc.record({
        bid: fc.boolean(),
        contract: fc.integer({ min: 0, max: 4 }),
        kW: fc.integer({ min: 1, max: 900 }),
        availability: fc.integer({ min: 0, max: 5000 }),
        utilisation: fc.integer({ min: 0, max: 20000 }),
        minute: fc.integer({ min: 0, max: 150 }),
        sameResource: fc.boolean(),
      }),
      { maxLength: 14 },
    ),
    expectedUsePerMille: fc.integer({ min: 0, max: 1000 }),
    seed: fc.integer(),
  })
  .map(({ buyers, sellers, capacities, orders, expectedUsePerMille, seed: tieSeed }) => {
    const capacity = new Map<string, number>();
    for (let i = 0; i < buyers; i++) capacity.set(`b${i}`, capacities[i]!);
    for (let i = 0; i < sellers; i++) capacity.set(`s${i}`, capacities[4 + i]!);
    return {
      publishedAt: PUBLISHED,
      expectedUsePerMille,
      seed: tieSeed,
      capacity,
      orders: orders.map((o, i): Order => ({
        id: `o${i}`,
        side: o.bid ? 'bid' : 'offer',
        contractId: o.bid ? `B${o.contract % buyers}` : `S${o.contract % sellers}`,
        // Some seller contracts sit on a buyer's resource: they must never face each other.
        resourceId: o.bid ? `r${o.contract % buyers}` : o.sameResource ? `r${o.contract % sellers}` : `q${o.contract % sellers}`,
        kW: o.kW,
        availability: o.availability,
        utilisation: o.utilisation,
        submittedAt: PUBLISHED + o.minute * 60_000,
      })),
    };
  });

const byId = (book: OrderBook) => new Map(book.orders.map((o) => [o.id, o]));

describe('market matching (property tests, seed ' + seed + ')', () => {
  it('never trades more than an order asks or a contract may (its opportunity capacity)', () => {
    fc.assert(
      fc.property(books, (book) => {
        const { matches } = matchOrders(book);
        const perOrder = new Map<string, number>();
        const perContract = new Map<string, number>();
        for (const m of matches) {
          assert.ok(m.kW > 0);
          for (const [order, contract] of [
            [m.bidId, m.buyerContractId],
            [m.offerId, m.sellerContractId],
          ] as const) {
            perOrder.set(order, (perOrder.get(order) ?? 0) + m.kW);
            perContract.set(contract.toLowerCase(), (perContract.get(contract.toLowerCase()) ?? 0) + m.kW);
          }
        }
        const orders = byId(book);
        for (const [id, kW] of perOrder) assert.ok(kW <= orders.get(id)!.kW, `order ${id} over-filled`);
        for (const [contract, kW] of perContract) assert.ok(kW <= (book.capacity.get(contract) ?? 0), `contract ${contract} over capacity`);
      }),
      runs,
    );
  });

  it('matches only a bid paying at least the offer, never a resource with itself, and nothing after gate closure', () => {
    fc.assert(
      fc.property(books, (book) => {
        const result = matchOrders(book);
        const orders = byId(book);
        for (const m of result.matches) {
          const bid = orders.get(m.bidId)!;
          const offer = orders.get(m.offerId)!;
          assert.ok(allInPrice(bid, book.expectedUsePerMille) >= allInPrice(offer, book.expectedUsePerMille));
          assert.notEqual(bid.resourceId, offer.resourceId);
          assert.deepEqual([m.availability, m.utilisation], [offer.availability, offer.utilisation], 'pay as offered');
          for (const order of [bid, offer]) assert.ok(order.submittedAt <= book.publishedAt + GATE_CLOSURE_MS);
        }
        for (const order of book.orders.filter((o) => o.submittedAt > book.publishedAt + GATE_CLOSURE_MS))
          assert.ok(result.refused.some((r) => r.orderId === order.id && r.reason === 'after-gate-closure'));
      }),
      runs,
    );
  });

  it('gives price priority: no bid trades with an offer while a cheaper offer it could take is left unfilled', () => {
    fc.assert(
      fc.property(books, (book) => {
        const result = matchOrders(book);
        const orders = byId(book);
        const price = (o: Order) => allInPrice(o, book.expectedUsePerMille);
        const contractLeft = new Map(book.capacity);
        for (const m of result.matches) {
          for (const c of [m.buyerContractId, m.sellerContractId]) contractLeft.set(c.toLowerCase(), contractLeft.get(c.toLowerCase())! - m.kW);
        }
        const left = (o: Order) => Math.min(result.unfilled.get(o.id) ?? 0, contractLeft.get(o.contractId.toLowerCase()) ?? 0);
        const unfilledOffers = [...orders.values()].filter((o) => o.side === 'offer' && left(o) > 0);
        for (const m of result.matches) {
          const bid = orders.get(m.bidId)!;
          const dearer = orders.get(m.offerId)!;
          const skipped = unfilledOffers.find((c) => price(c) < price(dearer) && price(bid) >= price(c) && c.resourceId !== bid.resourceId);
          assert.equal(skipped, undefined, `bid ${bid.id} took offer ${dearer.id} while the cheaper ${skipped?.id} was left`);
        }
      }),
      runs,
    );
  });

  it('is deterministic for a seed: the same book in any order gives the same trades', () => {
    fc.assert(
      fc.property(
        books.chain((book) => fc.tuple(fc.constant(book), fc.shuffledSubarray([...book.orders], { minLength: book.orders.length }))),
        ([book, shuffled]) => {
          assert.deepEqual(matchOrders({ ...book, orders: shuffled }).matches, matchOrders(book).matches);
        },
      ),
      runs,
    );
  });

  it('fills one large bid from several small offers, cheapest first, and leaves the rest of the bid unfilled', () => {
    const order = (id: string, side: Order['side'], contractId: string, kW: number, availability: number): Order => ({
      id,
      side,
      contractId,
      kW,
      availability,
      utilisation: 8000,
      submittedAt: PUBLISHED + 60_000,
    });
    const result = matchOrders({
      publishedAt: PUBLISHED,
      expectedUsePerMille: 300,
      seed: 1,
      capacity: new Map([
        ['a1_buyer', 700],
        ['s1', 200],
        ['s2', 200],
        ['s3', 150],
      ]),
      orders: [
        order('b', 'bid', 'A1_Buyer', 700, 5000),
        order('o3', 'offer', 'S3', 150, 1200),
        order('o1', 'offer', 'S1', 200, 1000),
        order('o2', 'offer', 'S2', 300, 1100),
      ],
    });
    assert.deepEqual(
      result.matches.map((m) => [m.sellerContractId, m.kW]),
      [
        ['S1', 200],
        ['S2', 200],
        ['S3', 150],
      ],
    );
    assert.equal(result.unfilled.get('b'), 150);
    assert.equal(result.unfilled.get('o2'), 100, 'S2 offered 300 but may sell only its 200 kW of headroom');
  });
});
