import { Injectable } from '@nestjs/common';
import type { Sql } from '../../../platform/database';

/** Data access for `user_profiles` (only `display_name` is written today). */
@Injectable()
export class UserProfileRepository {
  async insert(sql: Sql, profile: { userId: string; displayName: string }): Promise<void> {
    await sql.query('INSERT INTO user_profiles (user_id, display_name) VALUES ($1, $2)', [
      profile.userId,
      profile.displayName,
    ]);
  }
}
