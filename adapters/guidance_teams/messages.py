"""The few fixed texts the Teams adapter itself shows (everything else comes from the core)."""

from __future__ import annotations

from guidance_bot.i18n import Text

SENT_PRIVATELY = Text("個別チャットでお送りしました。", "Sent to you in a personal chat.")
PRIVATE_FAILED = Text(
    "個別チャットにお送りできませんでした。ボットとの個別チャットでもう一度お試しください。",
    "I could not reach your personal chat. Please try again in a personal chat with the bot.",
)
TURN_ERROR = Text(
    "申し訳ありません。処理中にエラーが発生しました。しばらくしてからもう一度お試しください。",
    "Sorry, something went wrong. Please try again in a moment.",
)
REQUIRED = Text("入力してください。", "This field is required.")
TOO_LONG = Text("{max} 文字以内で入力してください。", "Please keep it within {max} characters.")
DONE = Text("受け付けました。", "Received.")
NOT_CONFIGURED = Text(
    "Teams は設定されていません（MICROSOFT_APP_ID が未設定）",
    "Teams is not configured (MICROSOFT_APP_ID is not set)",
)
UNAUTHENTICATED_WARNING = (
    "GUIDANCE_TEAMS_ALLOW_UNAUTHENTICATED=1: 認証なしのリクエストを受け付けます（ローカル試験専用。本番では使わないでください）"
    " / unauthenticated requests are accepted (local testing only; never in production)"
)
