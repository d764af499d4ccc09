import {
  DERIVED_TITLE_MAX_CHARS,
  deriveConversationTitle,
} from '../../../src/modules/conversations/conversation-title';

describe('deriveConversationTitle', () => {
  it('keeps a short message, with whitespace collapsed and trimmed', () => {
    expect(deriveConversationTitle('  How do I\n\treset   my password? ')).toBe(
      'How do I reset my password?',
    );
  });

  it('keeps a message of exactly the maximum length uncut', () => {
    const text = 'a'.repeat(DERIVED_TITLE_MAX_CHARS);
    expect(deriveConversationTitle(text)).toBe(text);
  });

  it('cuts a long message on a word boundary and adds an ellipsis', () => {
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const title = deriveConversationTitle(words)!;
    expect(title.endsWith('…')).toBe(true);
    expect(Array.from(title).length).toBeLessThanOrEqual(DERIVED_TITLE_MAX_CHARS);
    const kept = title.slice(0, -1);
    // Whole words only, and as many as fit.
    expect(words.startsWith(`${kept} `)).toBe(true);
    const next = words.slice(kept.length + 1).split(' ')[0];
    expect(Array.from(`${kept} ${next}…`).length).toBeGreaterThan(DERIVED_TITLE_MAX_CHARS);
  });

  it('cuts right before a space that falls at the limit', () => {
    const text = `${'a'.repeat(DERIVED_TITLE_MAX_CHARS - 1)} tail`;
    expect(deriveConversationTitle(text)).toBe(`${'a'.repeat(DERIVED_TITLE_MAX_CHARS - 1)}…`);
  });

  it('cuts a single overlong word mid-word', () => {
    const title = deriveConversationTitle('x'.repeat(500))!;
    expect(title).toBe(`${'x'.repeat(DERIVED_TITLE_MAX_CHARS - 1)}…`);
  });

  it('counts code points, so an emoji is never split', () => {
    const title = deriveConversationTitle('😀'.repeat(100))!;
    expect(Array.from(title)).toHaveLength(DERIVED_TITLE_MAX_CHARS);
    expect(title).toBe(`${'😀'.repeat(DERIVED_TITLE_MAX_CHARS - 1)}…`);
    expect(title).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('gives null for whitespace only', () => {
    expect(deriveConversationTitle(' \n\t ')).toBeNull();
  });
});
