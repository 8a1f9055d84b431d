"""Who may call what: the role guards used by the routers (the matrix test reads them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from hotline.auth.principal import Principal, require
from hotline.roles import Role

admin_only = require(Role.ADMIN)
directory_readers = require(Role.ADMIN, Role.SUPERVISOR, Role.DIRECTOR, Role.OPS)
user_readers = require(Role.ADMIN, Role.SUPERVISOR)
audit_readers = require(Role.ADMIN, Role.DIRECTOR)
any_role = require(*Role)

Admin = Annotated[Principal, Depends(admin_only)]
DirectoryReader = Annotated[Principal, Depends(directory_readers)]
UserReader = Annotated[Principal, Depends(user_readers)]
AuditReader = Annotated[Principal, Depends(audit_readers)]
AnyUser = Annotated[Principal, Depends(any_role)]

agents_only = require(Role.AGENT)
supervisors_only = require(Role.SUPERVISOR)
queue_readers = require(Role.SUPERVISOR, Role.DIRECTOR, Role.OPS)

AgentUser = Annotated[Principal, Depends(agents_only)]
Supervisor = Annotated[Principal, Depends(supervisors_only)]
QueueReader = Annotated[Principal, Depends(queue_readers)]
