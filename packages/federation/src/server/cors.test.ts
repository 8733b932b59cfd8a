import { describe, expect, it } from 'vitest';
import { corsOriginSchema } from './cors';

describe('corsOriginSchema', () => {
  it('keeps origins in the form browsers send them', () => {
    expect(corsOriginSchema.parse('https://Lab.Example.org/')).toBe('https://lab.example.org');
    expect(corsOriginSchema.parse('http://127.0.0.1:5173')).toBe('http://127.0.0.1:5173');
    expect(corsOriginSchema.parse('https://lab.example.org:443')).toBe('https://lab.example.org');
  });

  it('refuses wildcards, "null", paths and other schemes, saying why', () => {
    const refusal = (text: string) => {
      const parsed = corsOriginSchema.safeParse(text);
      return parsed.success ? '' : parsed.error.issues[0]!.message;
    };
    expect(refusal('*')).toMatch(/wildcards are not accepted/);
    expect(refusal('https://*.example.org')).toMatch(/wildcards are not accepted/);
    expect(refusal('null')).toMatch(/"null"/);
    expect(refusal('https://lab.example.org/app')).toMatch(/did you mean https:\/\/lab\.example\.org\?/);
    expect(refusal('https://user:pw@lab.example.org')).toMatch(/no path, query or credentials/);
    expect(refusal('file:///tmp/page.html')).toMatch(/only http and https/);
    expect(refusal('lab.example.org')).toMatch(/expected scheme:\/\/host\[:port\]/);
  });
});
