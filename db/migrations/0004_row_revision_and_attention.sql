ALTER TYPE "public"."order_status" ADD VALUE 'needs_attention' BEFORE 'closed';--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "row_revision" bigint DEFAULT 0 NOT NULL;