"""Messages of the administrator's notification status page (web/notices)."""

from __future__ import annotations

from typing import Final

# message id -> (zh-CN, en)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.notices": ("通知投递", "Notifications"),
    "notices.live": ("新通知", "New notices"),
    "notices.dismiss": ("关闭此通知", "Dismiss this notice"),
    "notices.title": ("通知投递状态", "Notification delivery"),
    "notices.intro": (
        "工单通知除站内信外，还可经邮件和短信网关（Webhook）发送；失败会自动重试。",
        "Besides the in-app inbox, work-order notices go out by e-mail and through the SMS "
        "gateway's webhook; failures are retried on their own.",
    ),
    "notices.channel": ("渠道", "Channel"),
    "notices.channel.email": ("电子邮件", "E-mail"),
    "notices.channel.webhook": ("短信网关 Webhook", "SMS gateway webhook"),
    "notices.configured": ("已配置", "Configured"),
    "notices.yes": ("是", "yes"),
    "notices.no": ("否", "no"),
    "notices.pending": ("待发送", "Pending"),
    "notices.sent": ("已发送", "Sent"),
    "notices.failed": ("失败", "Failed"),
    "notices.skipped": ("跳过", "Skipped"),
    "notices.last_error": ("最近错误", "Last error"),
    "notices.last_sent": ("最近成功", "Last sent"),
    "notices.actions": ("操作", "Actions"),
    "notices.retry": ("立即重试", "Retry now"),
    "notices.retried": ("已重新排队的通知数：", "Notices queued again:"),
    "notices.help": (
        "“失败”为重试次数用尽的通知：先排除故障（如邮件服务器地址、网关地址或密钥），再点“立即重试”。"
        "“跳过”表示收件人未登记邮箱。",
        "Failed notices used up their attempts: fix the cause first (mail relay, gateway URL "
        "or secret), then press Retry now. Skipped means the person has no e-mail address on "
        "file.",
    ),
}
