import {
  AcquisitionClock,
  leaseAcquiredAt,
  leaseEvictionChannel,
  leaseMember,
} from '../../../src/platform/rate-limit/lease-member';

describe('concurrency lease members (eviction order, docs/streams.md)', () => {
  it('encodes the acquisition time so members sort by age as plain strings', () => {
    const members = [
      leaseMember(1_762_500_000_123.5, 'c'),
      leaseMember(999, 'b'),
      leaseMember(1_762_500_000_123.25, 'z'),
      leaseMember(1_762_500_000_124, 'a'),
    ];
    expect(members[1]).toBe('000000000000999.000:b');
    expect(members[0]).toBe('001762500000123.500:c');
    expect([...members].sort()).toEqual([members[1], members[2], members[0], members[3]]);
  });

  it('reads the acquisition time back, and null for foreign members', () => {
    expect(leaseAcquiredAt(leaseMember(1_762_500_000_123.25, 'id'))).toBe(1_762_500_000_123.25);
    expect(leaseAcquiredAt('dead-pod-lease')).toBeNull();
  });

  it('hands out strictly increasing times within a process, even in the same millisecond', () => {
    const clock = new AcquisitionClock();
    const times = [clock.next(1000), clock.next(1000), clock.next(1000), clock.next(999)];
    expect(times[0]).toBe(1000);
    for (let i = 1; i < times.length; i += 1) expect(times[i]).toBeGreaterThan(times[i - 1]);
    const members = times.map((t, i) => leaseMember(t, `id-${i}`));
    expect([...members].sort()).toEqual(members);
    expect(clock.next(2000)).toBe(2000);
  });

  it('names the eviction channel with both prefixes (channels are not key-prefixed)', () => {
    expect(leaseEvictionChannel('', 'rate-limit')).toBe('rate-limit:concurrency-evictions');
    expect(leaseEvictionChannel('t:run:ab12:', 'rate-limit')).toBe(
      't:run:ab12:rate-limit:concurrency-evictions',
    );
  });
});
