import { STAGES, allowedNext, canTransition, isFinal, isStage, type Stage } from '../../src/domain/stages';

describe('the stage machine', () => {
  const legal: [Stage, Stage][] = [
    ['applied', 'screening'],
    ['screening', 'interview'],
    ['interview', 'offer'],
    ['offer', 'hired'],
    ['applied', 'rejected'],
    ['screening', 'rejected'],
    ['interview', 'rejected'],
    ['offer', 'rejected'],
  ];

  test.each(legal)('%s → %s is allowed', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  const illegal = STAGES.flatMap((from) => STAGES.map((to) => [from, to] as [Stage, Stage])).filter(
    ([from, to]) => !legal.some(([f, t]) => f === from && t === to),
  );

  test.each(illegal)('%s → %s is refused', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  test('exactly eight transitions exist, none out of a final stage', () => {
    expect(illegal).toHaveLength(STAGES.length * STAGES.length - 8);
    expect(allowedNext('hired')).toEqual([]);
    expect(allowedNext('rejected')).toEqual([]);
    expect(STAGES.filter(isFinal)).toEqual(['hired', 'rejected']);
  });

  test('allowed next stages come in pipeline order', () => {
    expect(allowedNext('applied')).toEqual(['screening', 'rejected']);
    expect(allowedNext('offer')).toEqual(['hired', 'rejected']);
  });

  test.each([
    ['applied', true],
    ['hired', true],
    ['Applied', false],
    ['withdrawn', false],
    [undefined, false],
    [3, false],
  ])('isStage(%p) is %p', (value, expected) => {
    expect(isStage(value)).toBe(expected);
  });
});
