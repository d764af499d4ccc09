import { PageQuery } from '../../../platform/http';

/** E3 query (decision C5): page size and the opaque cursor from `X-Next-Cursor`. */
export class ListConversationsQuery extends PageQuery {}
