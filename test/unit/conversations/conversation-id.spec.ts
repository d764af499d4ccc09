import {
  CONVERSATION_NAMESPACE,
  mapConversationId,
  parseReferenceUuid,
} from '../../../src/modules/conversations/conversation-id';
import { uuidV5 } from '../../../src/platform/ids';

describe('conversation id mapping', () => {
  it('derives the reference namespace from the URL namespace', () => {
    const urlNamespace = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
    expect(uuidV5(urlNamespace, 'anything-agents:conversation')).toBe(CONVERSATION_NAMESPACE);
  });

  it('maps a custom id to UUIDv5 and keeps it verbatim as the key', () => {
    expect(mapConversationId('integration-test-thread')).toEqual({
      referenceId: '5f17a08b-afc9-51f5-a675-1ed5fb520b60',
      key: 'integration-test-thread',
    });
    expect(mapConversationId('Ünïcode thread ✓')).toEqual({
      referenceId: '60aac673-0b71-5bf0-a81f-496edeeb1754',
      key: 'Ünïcode thread ✓',
    });
  });

  it.each([
    ['0b6f0c2e-1d7a-4f0e-9a53-2f3b8c1d9e10'],
    ['0B6F0C2E-1D7A-4F0E-9A53-2F3B8C1D9E10'],
    ['0b6f0c2e1d7a4f0e9a532f3b8c1d9e10'],
    ['{0b6f0c2e-1d7a-4f0e-9a53-2f3b8c1d9e10}'],
    ['urn:uuid:0b6f0c2e-1d7a-4f0e-9a53-2f3b8c1d9e10'],
    ['0b6f-0c2e1d7a4f0e9a532f3b8c1d9e10'],
  ])('canonicalises the UUID form %s', (input) => {
    const canonical = '0b6f0c2e-1d7a-4f0e-9a53-2f3b8c1d9e10';
    expect(mapConversationId(input)).toEqual({ referenceId: canonical, key: canonical });
  });

  it("does not take Python int(x, 16)'s sign, 0x and underscore forms for UUIDs", () => {
    // CPython's uuid.UUID() would parse these; no client sends them, so they are ordinary
    // strings here and map to UUIDv5 with the id verbatim as the key.
    for (const odd of [
      '0x' + '0'.repeat(27) + 'abc',
      '0b6f0c2e_1d7a4f0e9a532f3b8c1d9e1',
      '+' + '1'.repeat(31),
      ' ' + '1'.repeat(31),
    ]) {
      expect(parseReferenceUuid(odd)).toBeNull();
      expect(mapConversationId(odd)).toEqual({
        referenceId: uuidV5(CONVERSATION_NAMESPACE, odd),
        key: odd,
      });
    }
    expect(parseReferenceUuid('0b6f0c2e1d7a4f0e9a532f3b8c1d9e1g')).toBeNull();
    expect(parseReferenceUuid('0b6f0c2e1d7a4f0e9a532f3b8c1d9e1')).toBeNull();
    expect(parseReferenceUuid('')).toBeNull();
  });

  it('gives an empty id a fresh random key', () => {
    const a = mapConversationId('');
    const b = mapConversationId('');
    expect(a.key).toBe(a.referenceId);
    expect(a.key).not.toBe(b.key);
  });
});
