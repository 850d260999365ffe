ALTER TABLE "orders" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "shipments" ADD COLUMN "reported_by" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "reported_by" text;