CREATE TYPE "public"."invoice_status" AS ENUM('open', 'closed', 'written_off');--> statement-breakpoint
CREATE TYPE "public"."dispute_status" AS ENUM('open', 'accepted', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."journal_kind" AS ENUM('invoice', 'payment', 'fee', 'credit_note', 'write_off');--> statement-breakpoint
CREATE TYPE "public"."ledger_account" AS ENUM('accounts_receivable', 'revenue', 'tax_payable', 'cash', 'customer_credit', 'fee_income', 'bad_debt_expense');--> statement-breakpoint
CREATE TYPE "public"."notification_channel" AS ENUM('email', 'letter', 'internal');--> statement-breakpoint
CREATE TYPE "public"."order_status" AS ENUM('credit_review', 'credit_hold', 'credit_rejected', 'awaiting_shipment', 'partially_shipped', 'cancelled', 'awaiting_payment', 'overdue', 'disputed', 'in_collections', 'reconciling', 'reconciliation_failed', 'closed');--> statement-breakpoint
CREATE TYPE "public"."payment_method" AS ENUM('card', 'bank_transfer', 'lockbox', 'other');--> statement-breakpoint
CREATE TABLE "credit_notes" (
	"credit_note_id" text PRIMARY KEY NOT NULL,
	"invoice_number" text NOT NULL,
	"dispute_id" text,
	"amount_minor" bigint NOT NULL,
	"reason" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	CONSTRAINT "credit_notes_amount_positive" CHECK ("credit_notes"."amount_minor" > 0)
);
--> statement-breakpoint
CREATE TABLE "invoice_fees" (
	"invoice_number" text NOT NULL,
	"level" integer NOT NULL,
	"amount_minor" bigint NOT NULL,
	"charged_at" timestamp with time zone NOT NULL,
	"waived_at" timestamp with time zone,
	"waived_by" text,
	CONSTRAINT "invoice_fees_pk" PRIMARY KEY("invoice_number","level"),
	CONSTRAINT "invoice_fees_amount_non_negative" CHECK ("invoice_fees"."amount_minor" >= 0),
	CONSTRAINT "invoice_fees_waiver_names_who" CHECK (("invoice_fees"."waived_at" is null) = ("invoice_fees"."waived_by" is null))
);
--> statement-breakpoint
CREATE TABLE "invoice_lines" (
	"invoice_number" text NOT NULL,
	"line_no" integer NOT NULL,
	"line_id" text NOT NULL,
	"description" text NOT NULL,
	"quantity" integer NOT NULL,
	"unit_price_minor" bigint NOT NULL,
	"amount_minor" bigint NOT NULL,
	CONSTRAINT "invoice_lines_pk" PRIMARY KEY("invoice_number","line_no"),
	CONSTRAINT "invoice_lines_quantity_positive" CHECK ("invoice_lines"."quantity" > 0),
	CONSTRAINT "invoice_lines_unit_price_non_negative" CHECK ("invoice_lines"."unit_price_minor" >= 0),
	CONSTRAINT "invoice_lines_amount_non_negative" CHECK ("invoice_lines"."amount_minor" >= 0)
);
--> statement-breakpoint
CREATE TABLE "invoice_series" (
	"series" text PRIMARY KEY NOT NULL,
	"last_number" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "invoice_series_last_number_non_negative" CHECK ("invoice_series"."last_number" >= 0)
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"invoice_number" text PRIMARY KEY NOT NULL,
	"series" text NOT NULL,
	"sequence" integer NOT NULL,
	"order_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"currency" char(3) NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"due_date" date NOT NULL,
	"subtotal_minor" bigint NOT NULL,
	"tax_minor" bigint NOT NULL,
	"total_minor" bigint NOT NULL,
	"status" "invoice_status" DEFAULT 'open' NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "invoices_sequence_positive" CHECK ("invoices"."sequence" > 0),
	CONSTRAINT "invoices_currency_iso" CHECK ("invoices"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "invoices_subtotal_non_negative" CHECK ("invoices"."subtotal_minor" >= 0),
	CONSTRAINT "invoices_tax_non_negative" CHECK ("invoices"."tax_minor" >= 0),
	CONSTRAINT "invoices_total_is_subtotal_plus_tax" CHECK ("invoices"."total_minor" = "invoices"."subtotal_minor" + "invoices"."tax_minor"),
	CONSTRAINT "invoices_closed_at_iff_not_open" CHECK (("invoices"."status" = 'open') = ("invoices"."closed_at" is null))
);
--> statement-breakpoint
CREATE TABLE "disputes" (
	"order_id" text NOT NULL,
	"dispute_id" text NOT NULL,
	"invoice_number" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"reason" text NOT NULL,
	"opened_by" text NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"resume_on" date,
	"status" "dispute_status" DEFAULT 'open' NOT NULL,
	"accepted_minor" bigint DEFAULT 0 NOT NULL,
	"resolved_by" text,
	"resolved_at" timestamp with time zone,
	"comment" text,
	CONSTRAINT "disputes_pk" PRIMARY KEY("order_id","dispute_id"),
	CONSTRAINT "disputes_amount_positive" CHECK ("disputes"."amount_minor" > 0),
	CONSTRAINT "disputes_accepted_within_amount" CHECK ("disputes"."accepted_minor" >= 0 and "disputes"."accepted_minor" <= "disputes"."amount_minor"),
	CONSTRAINT "disputes_resolution_complete" CHECK (("disputes"."status" = 'open') = ("disputes"."resolved_at" is null) and ("disputes"."resolved_at" is null) = ("disputes"."resolved_by" is null))
);
--> statement-breakpoint
CREATE TABLE "dunning_events" (
	"invoice_number" text NOT NULL,
	"step_key" text NOT NULL,
	"level" integer NOT NULL,
	"template" text NOT NULL,
	"channel" "notification_channel" NOT NULL,
	"amount_quoted_minor" bigint NOT NULL,
	"fee_minor" bigint NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	CONSTRAINT "dunning_events_pk" PRIMARY KEY("invoice_number","step_key"),
	CONSTRAINT "dunning_events_level_non_negative" CHECK ("dunning_events"."level" >= 0),
	CONSTRAINT "dunning_events_amount_quoted_non_negative" CHECK ("dunning_events"."amount_quoted_minor" >= 0),
	CONSTRAINT "dunning_events_fee_non_negative" CHECK ("dunning_events"."fee_minor" >= 0)
);
--> statement-breakpoint
CREATE TABLE "write_offs" (
	"invoice_number" text PRIMARY KEY NOT NULL,
	"amount_minor" bigint NOT NULL,
	"approved_by" text NOT NULL,
	"reason" text NOT NULL,
	"posted_at" timestamp with time zone NOT NULL,
	CONSTRAINT "write_offs_amount_positive" CHECK ("write_offs"."amount_minor" > 0)
);
--> statement-breakpoint
CREATE TABLE "journal_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"entry_key" text NOT NULL,
	"kind" "journal_kind" NOT NULL,
	"order_id" text NOT NULL,
	"invoice_number" text,
	"currency" char(3) NOT NULL,
	"posted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "journal_entries_currency_iso" CHECK ("journal_entries"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "journal_lines" (
	"entry_id" bigint NOT NULL,
	"line_no" integer NOT NULL,
	"account" "ledger_account" NOT NULL,
	"debit_minor" bigint DEFAULT 0 NOT NULL,
	"credit_minor" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "journal_lines_pk" PRIMARY KEY("entry_id","line_no"),
	CONSTRAINT "journal_lines_debit_non_negative" CHECK ("journal_lines"."debit_minor" >= 0),
	CONSTRAINT "journal_lines_credit_non_negative" CHECK ("journal_lines"."credit_minor" >= 0),
	CONSTRAINT "journal_lines_one_side" CHECK (("journal_lines"."debit_minor" > 0) <> ("journal_lines"."credit_minor" > 0))
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"notification_key" text NOT NULL,
	"template" text NOT NULL,
	"channel" "notification_channel" NOT NULL,
	"recipient" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "order_lines" (
	"order_id" text NOT NULL,
	"line_id" text NOT NULL,
	"line_no" integer NOT NULL,
	"sku" text NOT NULL,
	"description" text NOT NULL,
	"quantity" integer NOT NULL,
	"unit_price_minor" bigint NOT NULL,
	CONSTRAINT "order_lines_pk" PRIMARY KEY("order_id","line_id"),
	CONSTRAINT "order_lines_quantity_positive" CHECK ("order_lines"."quantity" > 0),
	CONSTRAINT "order_lines_unit_price_non_negative" CHECK ("order_lines"."unit_price_minor" >= 0)
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" text PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"currency" char(3) NOT NULL,
	"status" "order_status" NOT NULL,
	"tax_rate_bps" integer NOT NULL,
	"payment_terms_days" integer NOT NULL,
	"subtotal_minor" bigint NOT NULL,
	"tax_minor" bigint NOT NULL,
	"total_minor" bigint NOT NULL,
	"amount_due_minor" bigint DEFAULT 0 NOT NULL,
	"dunning_level" integer DEFAULT 0 NOT NULL,
	"invoice_number" text,
	"due_date" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "orders_currency_iso" CHECK ("orders"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "orders_tax_rate_non_negative" CHECK ("orders"."tax_rate_bps" >= 0),
	CONSTRAINT "orders_payment_terms_non_negative" CHECK ("orders"."payment_terms_days" >= 0),
	CONSTRAINT "orders_subtotal_non_negative" CHECK ("orders"."subtotal_minor" >= 0),
	CONSTRAINT "orders_tax_non_negative" CHECK ("orders"."tax_minor" >= 0),
	CONSTRAINT "orders_total_is_subtotal_plus_tax" CHECK ("orders"."total_minor" = "orders"."subtotal_minor" + "orders"."tax_minor"),
	CONSTRAINT "orders_amount_due_non_negative" CHECK ("orders"."amount_due_minor" >= 0),
	CONSTRAINT "orders_dunning_level_non_negative" CHECK ("orders"."dunning_level" >= 0)
);
--> statement-breakpoint
CREATE TABLE "shipment_lines" (
	"order_id" text NOT NULL,
	"shipment_id" text NOT NULL,
	"line_id" text NOT NULL,
	"quantity" integer NOT NULL,
	CONSTRAINT "shipment_lines_pk" PRIMARY KEY("order_id","shipment_id","line_id"),
	CONSTRAINT "shipment_lines_quantity_positive" CHECK ("shipment_lines"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "shipments" (
	"order_id" text NOT NULL,
	"shipment_id" text NOT NULL,
	"shipped_at" timestamp with time zone NOT NULL,
	CONSTRAINT "shipments_pk" PRIMARY KEY("order_id","shipment_id")
);
--> statement-breakpoint
CREATE TABLE "customer_credits" (
	"payment_reference" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"currency" char(3) NOT NULL,
	"amount_minor" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_credits_amount_positive" CHECK ("customer_credits"."amount_minor" > 0),
	CONSTRAINT "customer_credits_currency_iso" CHECK ("customer_credits"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "payment_applications" (
	"payment_reference" text NOT NULL,
	"invoice_number" text NOT NULL,
	"applied_minor" bigint NOT NULL,
	"applied_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payment_applications_pk" PRIMARY KEY("payment_reference","invoice_number"),
	CONSTRAINT "payment_applications_applied_non_negative" CHECK ("payment_applications"."applied_minor" >= 0)
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"payment_reference" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"order_id" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"method" "payment_method" NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_amount_positive" CHECK ("payments"."amount_minor" > 0),
	CONSTRAINT "payments_currency_iso" CHECK ("payments"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
ALTER TABLE "credit_notes" ADD CONSTRAINT "credit_notes_invoice_number_invoices_invoice_number_fk" FOREIGN KEY ("invoice_number") REFERENCES "public"."invoices"("invoice_number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_fees" ADD CONSTRAINT "invoice_fees_invoice_number_invoices_invoice_number_fk" FOREIGN KEY ("invoice_number") REFERENCES "public"."invoices"("invoice_number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_invoice_number_invoices_invoice_number_fk" FOREIGN KEY ("invoice_number") REFERENCES "public"."invoices"("invoice_number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_series_invoice_series_series_fk" FOREIGN KEY ("series") REFERENCES "public"."invoice_series"("series") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_invoice_number_invoices_invoice_number_fk" FOREIGN KEY ("invoice_number") REFERENCES "public"."invoices"("invoice_number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_events" ADD CONSTRAINT "dunning_events_invoice_number_invoices_invoice_number_fk" FOREIGN KEY ("invoice_number") REFERENCES "public"."invoices"("invoice_number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "write_offs" ADD CONSTRAINT "write_offs_invoice_number_invoices_invoice_number_fk" FOREIGN KEY ("invoice_number") REFERENCES "public"."invoices"("invoice_number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_entries" ADD CONSTRAINT "journal_entries_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_entries" ADD CONSTRAINT "journal_entries_invoice_number_invoices_invoice_number_fk" FOREIGN KEY ("invoice_number") REFERENCES "public"."invoices"("invoice_number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_lines" ADD CONSTRAINT "journal_lines_entry_id_journal_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."journal_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_lines" ADD CONSTRAINT "order_lines_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipment_lines" ADD CONSTRAINT "shipment_lines_shipment_fk" FOREIGN KEY ("order_id","shipment_id") REFERENCES "public"."shipments"("order_id","shipment_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipment_lines" ADD CONSTRAINT "shipment_lines_order_line_fk" FOREIGN KEY ("order_id","line_id") REFERENCES "public"."order_lines"("order_id","line_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_credits" ADD CONSTRAINT "customer_credits_payment_reference_payments_payment_reference_fk" FOREIGN KEY ("payment_reference") REFERENCES "public"."payments"("payment_reference") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_credits" ADD CONSTRAINT "customer_credits_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_applications" ADD CONSTRAINT "payment_applications_payment_reference_payments_payment_reference_fk" FOREIGN KEY ("payment_reference") REFERENCES "public"."payments"("payment_reference") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_applications" ADD CONSTRAINT "payment_applications_invoice_number_invoices_invoice_number_fk" FOREIGN KEY ("invoice_number") REFERENCES "public"."invoices"("invoice_number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credit_notes_invoice_idx" ON "credit_notes" USING btree ("invoice_number");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_notes_invoice_dispute_unique" ON "credit_notes" USING btree ("invoice_number","dispute_id") WHERE "credit_notes"."dispute_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_order_id_unique" ON "invoices" USING btree ("order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_series_sequence_unique" ON "invoices" USING btree ("series","sequence");--> statement-breakpoint
CREATE INDEX "invoices_customer_status_idx" ON "invoices" USING btree ("customer_id","status");--> statement-breakpoint
CREATE INDEX "disputes_invoice_idx" ON "disputes" USING btree ("invoice_number");--> statement-breakpoint
CREATE UNIQUE INDEX "journal_entries_entry_key_unique" ON "journal_entries" USING btree ("entry_key");--> statement-breakpoint
CREATE INDEX "journal_entries_order_idx" ON "journal_entries" USING btree ("order_id","posted_at");--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_notification_key_unique" ON "notifications" USING btree ("notification_key");--> statement-breakpoint
CREATE INDEX "notifications_subject_idx" ON "notifications" USING btree ("subject_type","subject_id");--> statement-breakpoint
CREATE INDEX "notifications_unsent_idx" ON "notifications" USING btree ("id") WHERE "notifications"."sent_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "order_lines_order_line_no_unique" ON "order_lines" USING btree ("order_id","line_no");--> statement-breakpoint
CREATE INDEX "orders_customer_status_idx" ON "orders" USING btree ("customer_id","status");--> statement-breakpoint
CREATE INDEX "orders_status_idx" ON "orders" USING btree ("status");--> statement-breakpoint
CREATE INDEX "customer_credits_customer_idx" ON "customer_credits" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "payment_applications_invoice_idx" ON "payment_applications" USING btree ("invoice_number");--> statement-breakpoint
CREATE INDEX "payments_order_idx" ON "payments" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "payments_customer_idx" ON "payments" USING btree ("customer_id");