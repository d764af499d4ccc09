import { AuthFailures } from '../auth-failures';
import type { Membership } from '../users/membership.repository';

/**
 * The membership a session uses: the requested tenant's, else the only one. `bearer` adds
 * `WWW-Authenticate` to the 401s (login does, refresh does not). `memberships` oldest first.
 */
export function chooseMembership(
  memberships: Membership[],
  requestedTenantId: string | null,
  bearer: boolean,
): Membership {
  if (memberships.length === 0) throw AuthFailures.noMemberships(bearer);
  if (requestedTenantId) {
    const match = memberships.find((m) => m.tenantId === requestedTenantId);
    if (!match) throw AuthFailures.notAMember(bearer);
    return match;
  }
  if (memberships.length > 1) throw AuthFailures.tenantRequired();
  return memberships[0];
}
