CREATE TYPE "public"."actor_kind" AS ENUM('system', 'service', 'finance', 'operator');--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_key" text NOT NULL,
	"actor_kind" "actor_kind" NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"currency" char(3) NOT NULL,
	"credit_limit_minor" bigint NOT NULL,
	"payment_terms_days" integer NOT NULL,
	"contact_email" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customers_credit_limit_non_negative" CHECK ("customers"."credit_limit_minor" >= 0),
	CONSTRAINT "customers_payment_terms_non_negative" CHECK ("customers"."payment_terms_days" >= 0),
	CONSTRAINT "customers_currency_iso" CHECK ("customers"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_event_key_unique" ON "audit_events" USING btree ("event_key");--> statement-breakpoint
CREATE INDEX "audit_events_subject_idx" ON "audit_events" USING btree ("subject_type","subject_id","occurred_at");