"""The Slack adapter's own fixed texts (Slack-specific wording only; what to answer comes from the core)."""

from __future__ import annotations

from guidance_bot.i18n import Text

NOT_CONFIGURED = Text("SLACK_BOT_TOKEN が設定されていません", "SLACK_BOT_TOKEN is not set")
OPEN_FORM_PROMPT = Text("「{title}」の入力フォームを開くには、下のボタンを押してください。",
                        "Press the button below to open the form \u201c{title}\u201d.")
OPEN_FORM_BUTTON = Text("フォームを開く", "Open the form")
CLOSE = Text("キャンセル", "Cancel")
FORM_ERRORS = Text("入力内容を確認してください:", "Please check what you entered:")
FAILED = Text("すみません、処理中にエラーが発生しました。しばらくしてからもう一度お試しください。",
              "Sorry, something went wrong. Please try again in a moment.")
TOGGLE_ON = Text("はい", "Yes")

HOME_TITLE = Text("guidance-bot の使い方", "How to use guidance-bot")
HOME_HOW_TO = Text(
    "コンプライアンスやカスタマー・ハラスメント対応について、普段の言葉で質問してください。\n"
    "• このアプリの「メッセージ」タブに直接書く\n"
    "• チャンネルで <@{bot}> とメンションする（答えはスレッドに付きます）\n"
    "• どこでも `{command} 質問` と入力する（答えはあなたにだけ表示されます）\n"
    "`{command} help` でコマンドの一覧、`{command} consult` で指導員（弁護士）への相談の申込みができます。",
    "Ask about compliance or handling customer harassment in your own words:\n"
    "• write in this app's Messages tab\n"
    "• mention <@{bot}> in a channel (the answer goes in the thread)\n"
    "• type `{command} your question` anywhere (only you see the answer)\n"
    "`{command} help` lists the commands; `{command} consult` requests a consultation with the advisor (a lawyer).",
)
HOME_EXAMPLES = Text("質問の例", "Example questions")
HOME_CONSULTATIONS = Text("あなたの相談申込み", "Your consultation requests")
HOME_NO_CONSULTATIONS = Text("相談の申込みはまだありません。", "You have not requested a consultation yet.")
