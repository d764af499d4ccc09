import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  IsOptional,
  IsPositive,
  IsString,
  Max,
  MaxLength,
  MinLength,
} from 'class-validator';

/** Largest seat count a request may ask for. */
export const MAX_SEATS = 1_000_000;
/** `billing_plans.code` is varchar(64). */
const MAX_PLAN_CODE_LENGTH = 64;

/**
 * The validation of the fields every subscription request shares (start, change, Checkout), in
 * one place so the three routes accept and refuse the same values.
 */
export function PlanCodeField(options: {
  required: boolean;
  example?: string;
  description?: string;
}) {
  const doc = options.required
    ? ApiProperty({ example: options.example ?? 'pro', description: options.description })
    : ApiPropertyOptional({ type: String, nullable: true, description: options.description });
  return applyDecorators(
    doc,
    ...(options.required ? [] : [IsOptional()]),
    IsString(),
    MinLength(1),
    MaxLength(MAX_PLAN_CODE_LENGTH),
  );
}

/** Optional `seat_count`: a positive integer up to MAX_SEATS, or null. */
export function SeatCountField(options: { defaultValue?: number } = {}) {
  return applyDecorators(
    ApiPropertyOptional({
      type: Number,
      nullable: true,
      minimum: 1,
      ...(options.defaultValue === undefined ? {} : { default: options.defaultValue }),
    }),
    IsOptional(),
    IsInt(),
    IsPositive(),
    Max(MAX_SEATS),
  );
}
