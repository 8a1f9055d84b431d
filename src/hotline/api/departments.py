"""Departments (back-office teams, branch bureaus) with their liaisons."""

from __future__ import annotations

from fastapi import APIRouter, status

from hotline.api.access import Admin, DirectoryReader
from hotline.api.params import RowId
from hotline.deps import SessionDep
from hotline.schemas.directory import DepartmentCreate, DepartmentRead, DepartmentUpdate
from hotline.services import directory

router = APIRouter(prefix="/departments", tags=["directory"])


@router.get("", response_model=list[DepartmentRead])
async def list_departments(session: SessionDep, _: DirectoryReader) -> list[DepartmentRead]:
    return [
        await directory.department_read(session, d)
        for d in await directory.list_departments(session)
    ]


@router.post("", response_model=DepartmentRead, status_code=status.HTTP_201_CREATED)
async def create_department(
    data: DepartmentCreate, session: SessionDep, _: Admin
) -> DepartmentRead:
    department = await directory.create_department(session, data)
    return await directory.department_read(session, department)


@router.get("/{department_id}", response_model=DepartmentRead)
async def get_department(
    department_id: RowId, session: SessionDep, _: DirectoryReader
) -> DepartmentRead:
    department = await directory.get_department(session, department_id)
    return await directory.department_read(session, department)


@router.patch("/{department_id}", response_model=DepartmentRead)
async def update_department(
    department_id: RowId, data: DepartmentUpdate, session: SessionDep, _: Admin
) -> DepartmentRead:
    department = await directory.update_department(session, department_id, data)
    return await directory.department_read(session, department)


@router.delete("/{department_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_department(department_id: RowId, session: SessionDep, _: Admin) -> None:
    await directory.delete_department(session, department_id)
