"""Fixed texts of reminders and the self-check, in Japanese and English."""

from __future__ import annotations

from ..i18n import Text

REMINDER_TITLE = Text("リマインダー", "Reminder")
HELP_REMIND = Text("リマインダーを作成（管理職）", "create a reminder (managers)")
HELP_REMINDERS = Text("リマインダーの一覧・停止・再開・削除（管理職）", "list, pause, resume or delete reminders (managers)")
HELP_CHECKLIST = Text("コンプライアンス・セルフチェックを始める", "start the compliance self-check")

# -- the reminder form -----------------------------------------------------------------------------
FORM_TITLE = Text("リマインダーの作成", "New reminder")
FORM_SUBMIT = Text("登録する", "Create")
FORM_INTRO = Text(
    "このチャンネルに定期的に送るメッセージを登録します。予定は日本語でも英語でも書けます。",
    "Schedule a message to this channel. Write the schedule in Japanese or English.",
)
FIELD_SCHEDULE = Text("予定", "Schedule")
FIELD_SCHEDULE_HINT = Text("例:「毎週月曜 9:00」「平日 8:45」「毎月1日 9時」「2026-12-01 09:00」",
                           'e.g. "every monday 9am", "weekdays 8:45", "monthly on the 1st 9:00"')
FIELD_KIND = Text("内容の種類", "Content")
KIND_TEXT = Text("自由なテキスト", "Free text")
KIND_ENTRY = Text("ナレッジの項目（カード）", "A knowledge entry (card)")
KIND_TAG = Text("タグの項目を順番に（1回に1件）", "Rotate through a tag's entries (one each time)")
KIND_CHECKLIST = Text("コンプライアンス・セルフチェック", "The compliance self-check")
FIELD_TEXT = Text("テキスト（自由なテキストのとき）", "Text (for free text)")
FIELD_ENTRY = Text("ナレッジの項目（項目のとき）", "Knowledge entry (for an entry)")
FIELD_TAG = Text("タグ（順番に送るとき）", "Tag (for a rotation)")
FIELD_LANGUAGE = Text("言語", "Language")
FIELD_SKIP_HOLIDAYS = Text("祝日と年末年始は送らない", "Skip public holidays and 29 Dec – 3 Jan")
LANG_JA = Text("日本語", "Japanese")
LANG_EN = Text("英語", "English")

ERR_TEXT_REQUIRED = Text("送るテキストを入力してください。", "Enter the text to send.")
ERR_ENTRY_REQUIRED = Text("ナレッジの項目を選んでください。", "Choose a knowledge entry.")
ERR_TAG_REQUIRED = Text("タグを選んでください。", "Choose a tag.")
ERR_UNKNOWN_ENTRY = Text("ナレッジに項目「{id}」がありません。", 'The knowledge has no entry "{id}".')
ERR_EMPTY_TAG = Text("タグ「{tag}」の付いた項目がありません。", 'No entry has the tag "{tag}".')
ERR_NO_CHECKLIST = Text("ナレッジにセルフチェック（checklist.yaml）がありません。",
                        "The knowledge has no self-check (checklist.yaml).")
ERR_TEXT_TOO_LONG = Text("テキストは {max} 文字までです。", "The text may have at most {max} characters.")
ERR_BAD_KIND = Text("内容の種類は text / entry / tag / checklist のどれかです。",
                    "The content must be text, entry, tag or checklist.")
ERR_NO_CHANNEL = Text(
    "送り先のチャンネルが分かりません。リマインダーを送りたいチャンネルで操作してください。",
    "I can't tell which channel to send to. Use this in the channel the reminder is for.",
)
REMIND_USAGE = Text(
    "使い方: remind（フォームを開く）または remind 予定 | テキスト\n"
    "テキストの代わりに entry:項目ID、tag:タグ、checklist も書けます。例: remind 毎週月曜 9:00 | 今週も安全運転で",
    "Usage: remind (opens the form) or remind SCHEDULE | TEXT\n"
    "Instead of text you may write entry:ENTRY_ID, tag:TAG or checklist. "
    "Example: remind every monday 9am | Drive safely this week",
)

# -- confirmation and listing ------------------------------------------------------------------------
CREATED_TITLE = Text("リマインダー #{id} を登録しました", "Reminder #{id} created")
SCHEDULE_LINE = Text("予定: {schedule}", "Schedule: {schedule}")
CHANNEL_LINE = Text("送り先: {channel}", "Channel: {channel}")
CONTENT_LINE = Text("内容: {content}", "Content: {content}")
NEXT_TIMES = Text("次の予定:", "Next times:")
NO_NEXT = Text("（これ以上の予定はありません）", "(no further times)")
CONTENT_TEXT = Text("テキスト「{text}」", 'text "{text}"')
CONTENT_ENTRY = Text("項目「{title}」({id})", 'entry "{title}" ({id})')
CONTENT_TAG = Text("タグ {tag} の項目を順番に（{count} 件）", "entries tagged {tag}, in turn ({count})")
CONTENT_CHECKLIST = Text("セルフチェック", "the self-check")

LIST_TITLE_CHANNEL = Text("このチャンネルのリマインダー", "Reminders for this channel")
LIST_TITLE_MINE = Text("あなたのリマインダー", "Your reminders")
LIST_TITLE_ALL = Text("すべてのリマインダー", "All reminders")
LIST_EMPTY = Text("リマインダーはありません。`remind` で作成できます。",
                  "There are no reminders. Create one with `remind`.")
LIST_MORE = Text("（ほか {count} 件）", "({count} more)")
PAUSED = Text("一時停止中", "paused")
FINISHED = Text("終了", "finished")
NEXT = Text("次回 {when}", "next {when}")
DECLARED = Text("設定ファイル", "settings file")
ACTION_PAUSE = Text("#{id} を一時停止", "Pause #{id}")
ACTION_RESUME = Text("#{id} を再開", "Resume #{id}")
ACTION_DELETE = Text("#{id} を削除", "Delete #{id}")
REMINDERS_USAGE = Text(
    "使い方: reminders / reminders all（コンプライアンス担当）/ reminders pause|resume|delete 番号",
    "Usage: reminders / reminders all (compliance office) / reminders pause|resume|delete ID",
)

PAUSED_OK = Text("リマインダー #{id} を一時停止しました。", "Reminder #{id} paused.")
RESUMED_OK = Text("リマインダー #{id} を再開しました。{next}", "Reminder #{id} resumed. {next}")
DELETED_OK = Text("リマインダー #{id} を削除しました。", "Reminder #{id} deleted.")
NOT_FOUND = Text("リマインダー #{id} はありません。", "There is no reminder #{id}.")
NOT_YOURS = Text(
    "リマインダー #{id} を変更できるのは、作成した人とコンプライアンス推進担当だけです。",
    "Only the person who created reminder #{id} and the compliance office may change it.",
)
DECLARED_DELETE = Text(
    "リマインダー #{id} は設定ファイル（{source}）で定義されています。削除するにはファイルから外してください。",
    "Reminder #{id} is declared in the settings file ({source}); remove it from the file to delete it.",
)
CONTENT_MISSING = Text("（内容がナレッジにありません）", "(content missing from the knowledge)")

# -- the self-check --------------------------------------------------------------------------------
CHECKLIST_START = Text("セルフチェックを始める", "Start the self-check")
CHECKLIST_SUBMIT = Text("結果を見る", "See my result")
CHECKLIST_REMINDER = Text(
    "コンプライアンス・セルフチェック（{count} 項目）の時間です。下のボタンから始めてください。"
    "結果はあなたにだけ表示され、記録されるのは匿名の件数だけです。",
    "Time for the compliance self-check ({count} items). Start it with the button below. "
    "Only you see your result; only anonymous counts are kept.",
)
CHECKLIST_PRIVACY = Text("結果はあなたにだけ表示されます。記録されるのは匿名の件数だけです。",
                         "Only you see the result; only anonymous counts are kept.")
CHECKLIST_UNAVAILABLE = Text("セルフチェックは今は使えません（ナレッジにチェックシートがありません）。",
                             "The self-check is not available (the knowledge has no checklist).")
RESULT_TITLE = Text("セルフチェックの結果", "Your self-check result")
RESULT_SCORE = Text("{ticked}/{total} 項目にチェックが付きました。", "You ticked {ticked} of {total} items.")
RESULT_ALL = Text("すべての項目にチェックが付きました。これからもこの意識を続けましょう。",
                  "You ticked every item. Keep it up.")
RESULT_UNTICKED = Text("チェックが付かなかった項目と、関係するナレッジ:",
                       "Items you did not tick, and the knowledge that helps:")
RESULT_SEE = Text("参考", "See")
RESULT_HINT = Text("下の項目を選ぶと内容を表示します。", "Pick a topic below to read it.")

# -- the settings file -----------------------------------------------------------------------------
FILE_ERRORS = Text(
    "リマインダーの設定ファイルに {count} 件の問題があるため、前の内容のまま動いています。",
    "The reminders file has {count} problem(s); the previous reminders stay in use.",
)
DELIVERY_FAILING = Text(
    "リマインダー #{id} を {destination} に送れずにいます。ボットがそのチャンネルに参加しているか確認してください"
    "（参加すると、送れなかった分も送ります）。",
    "Reminder #{id} cannot be posted to {destination}. Check that the bot is a member of that channel "
    "(once it is, the missed message is sent too).")
