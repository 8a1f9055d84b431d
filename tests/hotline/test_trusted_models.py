"""``trusted`` builds the same model instance as ``model_construct``, for the models it builds.

The list pages build their rows with ``hotline.schemas.base.trusted`` (a page of fifty rows
through ``model_construct`` was a measurable share of a list request). It is only right for a
model without aliases, extra fields, private attributes or a post-init hook, given every field:
this holds each model it builds to those conditions and to ``model_construct``'s instance.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from hotline.api.calls import CallSummary, _summary
from hotline.schemas.base import trusted
from hotline.workorders.schemas import TaxpayerRead, WorkOrderRead, _read_fields
from workorders.model import Category, Priority, Status, Taxpayer, WorkOrder

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _call_row() -> Any:
    class Row:
        id = 7
        kind = "inbound"
        caller_number = "13905710001"
        region = "浙江省杭州市"
        language = "zh"
        business_line = "tax"
        arrived_at = T0
        answered_at = None
        ended_at = T0
        wait_s = 3.5
        talk_s = None
        outcome = "abandoned"
        agent_id = None
        routing_stage = 2

    return Row()


def _order() -> WorkOrder:
    return WorkOrder(
        id="5f0c",
        reference="12366-20260302-0001",
        category=Category.ENQUIRY,
        priority=Priority.NORMAL,
        status=Status.NEW,
        subject="VAT",
        description="",
        taxpayer=Taxpayer(
            name="张三", phone="13912345678", taxpayer_number="9133", organisation=""
        ),
        created_by="3",
        created_at=T0,
        policy_version=1,
    )


@pytest.mark.parametrize("model", [CallSummary, WorkOrderRead, TaxpayerRead])
def test_the_models_built_trusted_have_nothing_model_construct_would_add(
    model: type[BaseModel],
) -> None:
    assert all(field.alias is None for field in model.model_fields.values())
    assert all(field.validation_alias is None for field in model.model_fields.values())
    assert model.model_config.get("extra") != "allow"
    assert not model.__private_attributes__
    assert not model.__pydantic_post_init__
    assert not model.__pydantic_root_model__


def _same(built: BaseModel, constructed: BaseModel) -> None:
    assert type(built) is type(constructed)
    assert built.__dict__ == constructed.__dict__
    assert list(built.__dict__) == list(constructed.__dict__)
    assert built.model_fields_set == constructed.model_fields_set
    assert built.__pydantic_extra__ == constructed.__pydantic_extra__
    assert built.__pydantic_private__ == constructed.__pydantic_private__
    assert built.model_dump_json() == constructed.model_dump_json()


def test_a_call_summary_built_trusted_is_the_constructed_one() -> None:
    fields = _summary(_call_row(), "hz", full_number=False)
    assert set(fields) == set(CallSummary.model_fields)
    _same(trusted(CallSummary, dict(fields)), CallSummary.model_construct(**fields))


@pytest.mark.parametrize("masked", [True, False])
def test_a_work_order_built_trusted_is_the_constructed_one(masked: bool) -> None:
    order = _order()
    built = WorkOrderRead.unvalidated(order, masked)
    fields = _read_fields(order, masked)
    assert set(fields) == set(WorkOrderRead.model_fields)
    assert set(fields["taxpayer"]) == set(TaxpayerRead.model_fields)
    fields["taxpayer"] = TaxpayerRead.model_construct(**fields["taxpayer"])
    _same(built, WorkOrderRead.model_construct(**fields))
    _same(built.taxpayer, fields["taxpayer"])
