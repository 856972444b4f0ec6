"""Every fixed text the bot shows, in Japanese and English."""

from __future__ import annotations

from .i18n import Text

ALERT_HEADING = Text("【緊急・安全第一】", "[URGENT - safety first]")
STEPS_HEADING = Text("対応の手順", "What to do")
PHRASES_HEADING = Text("対応例（言い方の例）", "Example phrases (対応例)")
SOURCE_HEADING = Text("出典", "Source")
CONTACTS_HEADING = Text("問い合わせ先", "Contact")
RELATED_HEADING = Text("関連する項目", "Related topics")
DID_YOU_MEAN = Text("もしかして、次のどれかについてのご質問ですか？", "Did you mean one of these?")
DID_YOU_MEAN_HINT = Text("番号か項目名を送ってください。", "Reply with a number or a topic name.")
NO_ANSWER = Text(
    "すみません、この質問にはナレッジから確実にお答えできません。",
    "Sorry, I can't answer that reliably from the knowledge base.",
)
SMALL_TALK_GREETING = Text(
    "こんにちは。コンプライアンス、職員の行動規範、カスタマー・ハラスメントへの対応について、"
    "困っていることをそのまま書いてください（例: 「通話を録音してもいい?」「土下座しろって言われた」）。"
    "使い方は「ヘルプ」と送ってください。",
    "Hello. Tell me in your own words what you need about compliance, the staff code of conduct or "
    "customer harassment (for example \"can I record the call?\" or \"they want the mayor\"). "
    "Send \"help\" to see what else I can do.",
)
SMALL_TALK_THANKS = Text(
    "どういたしまして。ほかにも気になることがあれば、いつでも聞いてください。",
    "You're welcome. Ask me any time something else comes up.",
)
OUT_OF_SCOPE = Text(
    "この質問は、ボットが扱う3つの文書（コンプライアンス推進基本方針・職員コンプライアンス推進行動規範・"
    "カスタマー・ハラスメント対応要領）の範囲外のようです。担当の部署にお尋ねください。",
    "That seems to be outside the three documents I answer from (the Basic Policy on Compliance, the Staff "
    "Code of Conduct and the Customer-Harassment Response Guidelines). Please ask the division in charge.",
)
OUT_OF_SCOPE_HINT = Text(
    "コンプライアンスやカスタマー・ハラスメントについての質問でしたら、言い方を変えてもう一度どうぞ。",
    "If your question is about compliance or customer harassment, please try asking in other words.",
)
NO_ANSWER_HINT = Text(
    "言い方を変えて質問するか、下の窓口に相談してください。困っている状況が法的な問題になりそうなときは、"
    "コンプライアンス推進指導員（弁護士）への法律相談も申し込めます。\n"
    "いま身の危険があるときは、対応を中断してその場を離れ、警察（110番）に通報してください。",
    "Try asking in other words, or ask the office below. If the situation may become a legal matter, "
    "you can also request a legal consultation with the compliance advisor (a lawyer).\n"
    "If anyone is in danger right now, stop, get away and call the police (110).",
)
FEEDBACK_PROMPT = Text("この回答は役に立ちましたか？", "Was this answer helpful?")
CONFIRM_TITLE = Text("確認", "Please confirm")
CONFIRM_TEXT = Text("「{label}」を実行します。元に戻せません。よろしいですか？",
                    "\u201c{label}\u201d cannot be undone. Go ahead?")
CONFIRM_YES = Text("実行する", "Yes, go ahead")
CONFIRM_NO = Text("やめる", "No, keep it")
ACTION_CONSULT = Text("指導員（弁護士）に相談する", "Consult the advisor (lawyer)")
PHONE = Text("電話", "Phone")
FAX = Text("FAX", "Fax")
EMPTY_QUESTION = Text("質問を入力してください。", "Please type a question.")
CHAT_WELCOME = Text(
    "guidance-bot です。コンプライアンスやカスタマー・ハラスメント対応について質問してください。"
    "（:q で終了、:en / :ja で言語切替）",
    "This is guidance-bot. Ask about compliance or handling customer harassment. "
    "(:q quits, :en / :ja switches language)",
)
KNOWLEDGE_UNAVAILABLE = Text(
    "ナレッジを読み込めません。`guidance-bot knowledge check` で確認してください。",
    "The knowledge could not be loaded. Run `guidance-bot knowledge check`.",
)
HELP_TITLE = Text("guidance-bot の使い方", "How to use guidance-bot")
HELP_INTRO = Text(
    "コンプライアンスやカスタマー・ハラスメント対応について、普段の言葉で質問してください。"
    "答えには出典（基本方針・行動規範・対応要領の該当箇所）が付きます。コマンド:",
    "Ask about compliance or handling customer harassment in your own words. Every answer cites its "
    "source (the Basic Policy, Code of Conduct or Guidelines). Commands:",
)
HELP_EXAMPLES = Text("質問の例:", "Example questions:")
HELP_HELP = Text("この使い方を表示", "show this help")
HELP_RELOAD = Text("ナレッジを再読み込み（コンプライアンス担当）", "reload the knowledge (compliance office)")
NOT_ALLOWED = Text(
    "この操作を行う権限がありません。必要な場合はコンプライアンス推進担当にお問い合わせください。",
    "You are not allowed to do this. Ask the compliance office if you need it.",
)
UNKNOWN_FORM = Text("このフォームは期限切れです。もう一度やり直してください。",
                    "This form has expired. Please start again.")
FEEDBACK_THANKS = Text("フィードバックありがとうございます。今後の改善に使います。",
                       "Thanks for the feedback. It helps us improve the answers.")
RELOAD_OK = Text("ナレッジを再読み込みしました: {count} 件（版 {version}）",
                 "Knowledge reloaded: {count} entries (version {version})")
RELOAD_FAILED = Text(
    "ナレッジに {count} 件の問題があるため、読み込む前の版を使い続けています:",
    "The knowledge has {count} problem(s), so the previous version stays in use:",
)
HELP_REPORT = Text("答えられなかった質問の報告（コンプライアンス担当。例: report 7d）",
                   "unanswered questions report (compliance office; e.g. report 7d)")
REPORT_TITLE = Text("答えられなかった質問（過去 {days} 日）", "Questions the bot could not answer (last {days} days)")
