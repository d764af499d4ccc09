import { PageQuery } from '../../../../platform/http';

/** Page size and the opaque cursor from `X-Next-Cursor`, as the conversation list takes them. */
export class ListMembersQuery extends PageQuery {}
