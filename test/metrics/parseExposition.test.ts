import { describe, expect, it } from 'vitest';
import { parseExposition } from './parseExposition.js';

const ok = `# HELP x_total Calls.
# TYPE x_total counter
x_total{breaker="a \\"b\\"",outcome="ok"} 3
# TYPE h histogram
h_bucket{le="0.1"} 1
h_bucket{le="+Inf"} 2
h_sum 0.5
h_count 2
`;

describe('parseExposition (the strict test oracle)', () => {
  it('parses families, escaped label values and histograms', () => {
    const m = parseExposition(ok);
    expect(m.value('x_total', { breaker: 'a "b"' })).toBe(3);
    expect(m.families.get('h')?.samples).toHaveLength(4);
    expect(m.value('h_bucket', { le: '+Inf' })).toBe(2);
  });

  it.each([
    ['a sample before its TYPE', 'y 1\n'],
    ['a missing final newline', '# TYPE y gauge\ny 1'],
    ['a duplicate series', '# TYPE y gauge\ny{a="1"} 1\ny{a="1"} 2\n'],
    ['a family split in two groups', '# TYPE y gauge\ny 1\n# TYPE z gauge\nz 1\ny{a="2"} 1\n'],
    ['a negative counter', '# TYPE c counter\nc -1\n'],
    ['a bad number', '# TYPE y gauge\ny 1,5\n'],
    ['an unterminated label', '# TYPE y gauge\ny{a="1} 1\n'],
    ['a non-cumulative histogram', '# TYPE h histogram\nh_bucket{le="1"} 3\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n'],
    ['+Inf bucket ≠ count', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n'],
    ['an unknown comment', '# EOF\n'],
  ])('rejects %s', (_, text) => {
    expect(() => parseExposition(text)).toThrow(SyntaxError);
  });
});
