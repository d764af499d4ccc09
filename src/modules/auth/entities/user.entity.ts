import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type UserStatus = 'pending' | 'active' | 'disabled' | 'locked';

/** `users`: credentials and account state. `email` is citext and stored lower-cased. */
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'citext' })
  email: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  /** `v1` legacy unpeppered bcrypt, `v2` peppered bcrypt (reference), `v3` argon2id over HMAC. */
  @Column({ name: 'password_pepper_version', type: 'varchar', length: 32, default: 'v1' })
  passwordPepperVersion: string;

  @Column({
    type: 'enum',
    enum: ['pending', 'active', 'disabled', 'locked'],
    enumName: 'user_status',
    default: 'pending',
  })
  status: UserStatus;

  @Column({ name: 'email_verified_at', type: 'timestamptz', nullable: true })
  emailVerifiedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
