export {
  AcquisitionClock,
  leaseAcquiredAt,
  leaseEvictionChannel,
  leaseMember,
} from './lease-member';
export { RateLimitExceededException } from './rate-limit.exception';
export { RateLimitModule } from './rate-limit.module';
export {
  RateLimiter,
  sanitizeKeyPart,
  type Lease,
  type LeaseSpec,
  type QuotaScope,
  type QuotaSpec,
  type QuotaState,
} from './rate-limiter.service';
