"""Configs shared by the config tests."""

from __future__ import annotations

#: One valid channel of every type, no ${VAR} needed.
EVERY_TYPE = """\
channels:
  console: {type: console, stream: stderr}
  tg: {type: telegram, token: "123456:AAE-abc_def", chat_id: "-100123"}
  fs: {type: feishu, webhook: "https://open.feishu.cn/open-apis/bot/v2/hook/abc-123"}
  lk: {type: lark, webhook: abc-123, secret: sign-secret, format: post}
  fa: {type: feishu_app, app_id: cli_x, app_secret: app-secret, receive_id: oc_x}
  dt:
    type: dingtalk
    webhook: "https://oapi.dingtalk.com/robot/send?access_token=abc"
    secret: SECabc
    keywords: [AI]
  wc: {type: wecom, webhook: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"}
  nt: {type: ntfy, topic: ai-news-abc, priority: auto}
  mail:
    type: email
    host: smtp.example.com
    username: bot
    password: hunter2
    sender: News <bot@example.com>
    recipients: [a@example.com]
  ap: {type: apprise, urls: ["json://localhost/notify"]}
rules:
  - {name: x, any: [a], notify: [console, tg, fs, lk, fa, dt, wc, nt, mail, ap]}
"""
