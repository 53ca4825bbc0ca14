"""What PostgreSQL refuses, whatever the code does:
- allocations to provinces above their budget, and a budget lowered below them;
- allocations to LPAs above the province's share, and a share lowered below them;
- an allocation to an LPA outside the allocation's province;
- transfers of an allocation (those that did not fail) above it;
- a transfer whose amount or account changes, or whose final state (posted, failed,
  returned) changes.

Each check locks the parent row first, so two officers allocating at the same moment
are taken one after the other and the second sees the first's amount."""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION public.subsidies_province_allocations_within_budget()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v_budget bigint; budget_amount bigint; allocated bigint;
BEGIN
  IF TG_TABLE_NAME = 'subsidies_budget' THEN v_budget := NEW.id;
  ELSE v_budget := NEW.budget_id; END IF;
  SELECT amount INTO budget_amount FROM public.subsidies_budget WHERE id = v_budget FOR UPDATE;
  SELECT COALESCE(SUM(amount), 0) INTO allocated
    FROM public.subsidies_provinceallocation WHERE budget_id = v_budget;
  IF allocated > budget_amount THEN
    RAISE EXCEPTION 'subsidies: provinces are allocated %, the budget is %', allocated, budget_amount
      USING ERRCODE = 'check_violation', CONSTRAINT = 'allocation_within_budget';
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION public.subsidies_lpa_allocations_within_share()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v_share bigint; share_amount bigint; share_province varchar; allocated bigint;
        lpa_province varchar;
BEGIN
  IF TG_TABLE_NAME = 'subsidies_provinceallocation' THEN v_share := NEW.id;
  ELSE v_share := NEW.province_allocation_id; END IF;
  SELECT amount, province_id INTO share_amount, share_province
    FROM public.subsidies_provinceallocation WHERE id = v_share FOR UPDATE;
  SELECT COALESCE(SUM(amount), 0) INTO allocated
    FROM public.subsidies_lpaallocation WHERE province_allocation_id = v_share;
  IF allocated > share_amount THEN
    RAISE EXCEPTION 'subsidies: LPAs are allocated %, the province''s share is %',
      allocated, share_amount
      USING ERRCODE = 'check_violation', CONSTRAINT = 'allocation_within_share';
  END IF;
  IF TG_TABLE_NAME = 'subsidies_lpaallocation' THEN
    SELECT r.province_id INTO lpa_province
      FROM public.tenants_lpa l JOIN public.geo_regency r ON r.code = l.regency_id
      WHERE l.id = NEW.lpa_id;
    IF lpa_province IS DISTINCT FROM share_province THEN
      RAISE EXCEPTION 'subsidies: the LPA is not in the allocation''s province'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'allocation_lpa_in_province';
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION public.subsidies_transfers_within_allocation()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE allocated bigint; paid bigint;
BEGIN
  SELECT amount INTO allocated FROM public.subsidies_lpaallocation
    WHERE id = NEW.allocation_id FOR UPDATE;
  SELECT COALESCE(SUM(amount), 0) INTO paid FROM public.subsidies_transfer
    WHERE allocation_id = NEW.allocation_id AND state NOT IN ('failed', 'returned');
  IF paid > allocated THEN
    RAISE EXCEPTION 'subsidies: transfers of % exceed the allocation of %', paid, allocated
      USING ERRCODE = 'check_violation', CONSTRAINT = 'transfer_within_allocation';
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION public.subsidies_allocation_covers_transfers()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE paid bigint;
BEGIN
  SELECT COALESCE(SUM(amount), 0) INTO paid FROM public.subsidies_transfer
    WHERE allocation_id = NEW.id AND state NOT IN ('failed', 'returned');
  IF paid > NEW.amount THEN
    RAISE EXCEPTION 'subsidies: % is already paid; the allocation cannot go below it', paid
      USING ERRCODE = 'check_violation', CONSTRAINT = 'transfer_within_allocation';
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION public.subsidies_transfer_guard()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.amount <> OLD.amount OR NEW.account_number <> OLD.account_number
     OR NEW.lpa_id <> OLD.lpa_id OR NEW.allocation_id <> OLD.allocation_id
     OR NEW.reference <> OLD.reference THEN
    RAISE EXCEPTION 'subsidies: transfer % cannot change its amount, account or reference',
      OLD.reference USING ERRCODE = 'check_violation', CONSTRAINT = 'transfer_fixed';
  END IF;
  IF OLD.state IN ('posted', 'failed', 'returned')
     AND (NEW.state <> OLD.state OR NEW.entry_id IS DISTINCT FROM OLD.entry_id) THEN
    RAISE EXCEPTION 'subsidies: transfer % is %, which is final', OLD.reference, OLD.state
      USING ERRCODE = 'check_violation', CONSTRAINT = 'transfer_final';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER subsidies_budget_covers AFTER UPDATE OF amount ON public.subsidies_budget
  FOR EACH ROW EXECUTE FUNCTION public.subsidies_province_allocations_within_budget();
CREATE TRIGGER subsidies_province_allocation_within_budget
  AFTER INSERT OR UPDATE OF amount, budget_id ON public.subsidies_provinceallocation
  FOR EACH ROW EXECUTE FUNCTION public.subsidies_province_allocations_within_budget();
CREATE TRIGGER subsidies_share_covers
  AFTER UPDATE OF amount ON public.subsidies_provinceallocation
  FOR EACH ROW EXECUTE FUNCTION public.subsidies_lpa_allocations_within_share();
CREATE TRIGGER subsidies_lpa_allocation_within_share
  AFTER INSERT OR UPDATE OF amount, province_allocation_id, lpa_id ON public.subsidies_lpaallocation
  FOR EACH ROW EXECUTE FUNCTION public.subsidies_lpa_allocations_within_share();
CREATE TRIGGER subsidies_transfer_within_allocation
  AFTER INSERT OR UPDATE OF state ON public.subsidies_transfer
  FOR EACH ROW EXECUTE FUNCTION public.subsidies_transfers_within_allocation();
CREATE TRIGGER subsidies_allocation_covers_transfers
  AFTER UPDATE OF amount ON public.subsidies_lpaallocation
  FOR EACH ROW EXECUTE FUNCTION public.subsidies_allocation_covers_transfers();
CREATE TRIGGER subsidies_transfer_guard BEFORE UPDATE ON public.subsidies_transfer
  FOR EACH ROW EXECUTE FUNCTION public.subsidies_transfer_guard();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS subsidies_transfer_guard ON public.subsidies_transfer;
DROP TRIGGER IF EXISTS subsidies_allocation_covers_transfers ON public.subsidies_lpaallocation;
DROP TRIGGER IF EXISTS subsidies_transfer_within_allocation ON public.subsidies_transfer;
DROP FUNCTION IF EXISTS public.subsidies_allocation_covers_transfers();
DROP FUNCTION IF EXISTS public.subsidies_transfers_within_allocation();
DROP TRIGGER IF EXISTS subsidies_lpa_allocation_within_share ON public.subsidies_lpaallocation;
DROP TRIGGER IF EXISTS subsidies_share_covers ON public.subsidies_provinceallocation;
DROP TRIGGER IF EXISTS subsidies_province_allocation_within_budget
  ON public.subsidies_provinceallocation;
DROP TRIGGER IF EXISTS subsidies_budget_covers ON public.subsidies_budget;
DROP FUNCTION IF EXISTS public.subsidies_transfer_guard();
DROP FUNCTION IF EXISTS public.subsidies_lpa_allocations_within_share();
DROP FUNCTION IF EXISTS public.subsidies_province_allocations_within_budget();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("subsidies", "0001_initial"),
        ("tenants", "0005_lpa_bank_account"),
        ("geo", "0001_initial"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE)]
