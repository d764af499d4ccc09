import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { EMPTY_KEYSET, parseKeyset, type KeysetDocument } from './keyset';
import { KeysetStorage } from './keyset-storage';

/** Keyset in a JSON file (2-space indentation like the reference), written atomically, mode 0600. */
export class FileKeysetStorage extends KeysetStorage {
  readonly backend = 'file' as const;
  private readonly path: string;

  constructor(path: string) {
    super();
    this.path = resolve(path);
  }

  async load(): Promise<KeysetDocument> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { ...EMPTY_KEYSET, retired: [] };
      throw error;
    }
    return parseKeyset(JSON.parse(text));
  }

  async save(doc: KeysetDocument): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, this.path);
  }
}
