"""Messages of the work-order attachments panel (web/wofiles)."""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "wofiles.title": ("附件", "Attachments"),
    "wofiles.page": ("工单附件", "Attachments of work order"),
    "wofiles.open": ("查看附件", "Open the attachments"),
    "wofiles.none": ("暂无附件", "No files yet"),
    "wofiles.name": ("文件名", "File"),
    "wofiles.type": ("类型", "Type"),
    "wofiles.size": ("大小", "Size"),
    "wofiles.by": ("上传人", "Added by"),
    "wofiles.at": ("上传时间", "Added"),
    "wofiles.actions": ("操作", "Actions"),
    "wofiles.delete": ("删除", "Remove"),
    "wofiles.confirm_delete": ("确定删除该附件？", "Remove this file?"),
    "wofiles.choose": ("选择文件", "Choose a file"),
    "wofiles.upload": ("上传", "Upload"),
    "wofiles.limits": ("单个文件上限", "Up to"),
    "wofiles.too_large": (
        "文件超过上限 {limit}，请压缩或拆分后再上传",
        "The file is larger than the limit of {limit}: compress or split it, then upload again",
    ),
    "wofiles.bad_type": (
        "不支持该文件类型（按内容识别）。可上传：{allowed}",
        "This type of file is not accepted (judged by its content). Accepted: {allowed}",
    ),
    "wofiles.infected": (
        "“{filename}”未被接收：病毒扫描发现 {signature}。请勿打开原文件，请对方重新提供干净的文件",
        "'{filename}' was refused: the virus scanner found {signature} in it. "
        "Do not open the original; ask the sender for a clean copy",
    ),
    "wofiles.scanner_down": (
        "病毒扫描暂时无法检查该文件，请稍后重试；多次失败请联系管理员",
        "The virus scanner could not check the file: try again in a minute, and tell an "
        "administrator if it keeps failing",
    ),
    "wofiles.no_file": ("请先选择一个非空文件", "Choose a file that is not empty first"),
    "wofiles.forbidden": (
        "您无权更改此工单的附件，请联系班长",
        "You may not change this order's files; ask a supervisor",
    ),
}
