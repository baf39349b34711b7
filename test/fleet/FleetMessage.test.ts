import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFleetMessage } from '../../src/fleet/FleetMessage.js';

const name = fc.string({ minLength: 1, maxLength: 12 });
const validMessage = fc.oneof(
  fc.record({
    epoch: name, version: fc.integer({ min: 1, max: 2 ** 40 }), fleet: fc.constant('desk'), breaker: name, instance: name, session: name,
    from: fc.constantFrom('closed', 'open', 'halfOpen', 'disabled'), to: fc.constant('open'),
    reason: fc.record({ trigger: fc.constantFrom('p99', 'probe', 'healthCheck') }),
    until: fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => x + 0), remainingMs: fc.double({ min: 0.001, max: 1e9, noNaN: true }),
  }),
  fc.record({
    epoch: name, version: fc.integer({ min: 1, max: 2 ** 40 }), fleet: fc.constant('desk'), breaker: name, instance: name, session: name,
    from: fc.constantFrom('closed', 'open', 'halfOpen', 'disabled'), to: fc.constant('closed'),
    reason: fc.record({ trigger: fc.constant('probe') }), until: fc.constant(null), remainingMs: fc.constant(null),
  }),
);
const REQUIRED = ['epoch', 'version', 'fleet', 'breaker', 'instance', 'session', 'from', 'to', 'reason'] as const;

describe('parseFleetMessage', () => {
  it('never throws on arbitrary text or JSON, and rejects anything that is not an object message as malformed', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), (raw) => {
        const parsed = parseFleetMessage(raw, 'desk');
        let value: unknown;
        try {
          value = JSON.parse(raw);
        } catch {
          return parsed === 'malformed';
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value) || !('session' in value)) return parsed === 'malformed';
        return true;
      }),
    );
  });

  it('accepts every well-formed message of its fleet unchanged, and calls the same message of another fleet otherFleet', () => {
    fc.assert(
      fc.property(validMessage, (m) => {
        expect(parseFleetMessage(JSON.stringify(m), 'desk')).toEqual(m);
        expect(parseFleetMessage(JSON.stringify({ ...m, fleet: 'other-desk' }), 'desk')).toBe('otherFleet');
      }),
    );
  });

  it('rejects a message missing any one required field, or with an open deadline that is not a positive duration', () => {
    fc.assert(
      fc.property(validMessage, fc.constantFrom(...REQUIRED), (m, field) => {
        const { [field]: _dropped, ...rest } = m;
        expect(parseFleetMessage(JSON.stringify(rest), 'desk')).toBe('malformed');
      }),
    );
    fc.assert(
      fc.property(validMessage, fc.constantFrom(0, -1, 'soon', null), (m, remainingMs) => {
        fc.pre(m.to === 'open');
        expect(parseFleetMessage(JSON.stringify({ ...m, remainingMs }), 'desk')).toBe('malformed');
      }),
    );
  });
});
