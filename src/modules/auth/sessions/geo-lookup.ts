import { Injectable } from '@nestjs/common';

export interface GeoLocation {
  city: string | null;
  region: string | null;
  country: string | null;
}

/**
 * Where a session's IP is. Pluggable: provide another implementation of this class (a GeoIP
 * database, a provider API) in the auth module to fill the session locations.
 */
export abstract class GeoLookup {
  abstract lookup(ip: string): Promise<GeoLocation | null>;
}

/** The reference's provider: knows nothing. */
@Injectable()
export class NoopGeoLookup extends GeoLookup {
  async lookup(): Promise<GeoLocation | null> {
    return null;
  }
}
