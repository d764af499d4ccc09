import {
  CONVERSATION_NAMESPACE,
  mapConversationId,
  parsePythonUuid,
  uuidV5,
} from '../../../src/modules/conversations/conversation-id';

describe('conversation id mapping (chat spec 4.1)', () => {
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

  it('follows Python int(x, 16) quirks and rejects what Python rejects', () => {
    // Expected values computed with CPython's uuid.UUID().
    expect(parsePythonUuid('0x' + '0'.repeat(27) + 'abc')).toBe(
      '00000000-0000-0000-0000-000000000abc',
    );
    expect(parsePythonUuid('0b6f0c2e_1d7a4f0e9a532f3b8c1d9e1')).toBe(
      '00b6f0c2-e1d7-a4f0-e9a5-32f3b8c1d9e1',
    );
    expect(parsePythonUuid('0b6f0c2e1d7a4f0e9a532f3b8c1d9e1g')).toBeNull();
    expect(parsePythonUuid('0b6f0c2e1d7a4f0e9a532f3b8c1d9e1')).toBeNull();
    expect(parsePythonUuid('+' + '1'.repeat(31))).toBe('01111111-1111-1111-1111-111111111111');
    expect(parsePythonUuid(' ' + '1'.repeat(31))).toBe('01111111-1111-1111-1111-111111111111');
    expect(parsePythonUuid('-' + '1'.repeat(31))).toBeNull();
    expect(parsePythonUuid('')).toBeNull();
  });

  it('gives an empty id a fresh random key', () => {
    const a = mapConversationId('');
    const b = mapConversationId('');
    expect(a.key).toBe(a.referenceId);
    expect(a.key).not.toBe(b.key);
  });
});
