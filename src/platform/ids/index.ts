export { canonicalUuid, formatUuid, isUuid, uuidV5 } from './uuid';
