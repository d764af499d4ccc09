import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ToInt } from '../validation/transforms';
import { decodeKeysetCursor, encodeKeysetCursor, type KeysetCursor } from './keyset-cursor';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/**
 * `?limit=&cursor=` of every keyset-paged list (conversations, members, audit events): the page
 * size and the opaque cursor the previous page sent in `X-Next-Cursor`. Lists extend it with
 * their own filters.
 */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: "The previous response's X-Next-Cursor header" })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  cursor?: string;
}

export interface KeysetPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * One page of a keyset-paged list. `fetch` is asked for one row more than the page (whether a
 * next page exists, without a count) after the decoded cursor; the page's last row gives the
 * next cursor.
 */
export async function keysetPage<Row, Item>(
  query: PageQuery,
  fetch: (after: KeysetCursor | undefined, limit: number) => Promise<Row[]>,
  positionOf: (row: Row) => KeysetCursor,
  toItem: (row: Row) => Item,
): Promise<KeysetPage<Item>> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const after = query.cursor ? decodeKeysetCursor(query.cursor) : undefined;
  const rows = await fetch(after, limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toItem),
    nextCursor:
      rows.length > limit && last !== undefined ? encodeKeysetCursor(positionOf(last)) : null,
  };
}
