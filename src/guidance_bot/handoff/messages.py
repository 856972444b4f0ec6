"""Every fixed text of the consultation hand-off, in Japanese and English."""

from __future__ import annotations

from ..i18n import Text

HELP = Text("コンプライアンス推進指導員（弁護士）への法律相談を申し込む",
            "request a legal consultation with the compliance advisor (a lawyer)")

# -- the form ------------------------------------------------------------------------------------
FORM_TITLE = Text("法律相談の申込み", "Legal consultation")  # Slack modal titles: 24 characters at most
FORM_SUBMIT = Text("送信する", "Send")
FORM_INTRO = Text(
    "コンプライアンス推進指導員（弁護士）への相談を、コンプライアンス推進担当に取り次ぎます。"
    "内容を見られるのは、あなたとコンプライアンス推進担当だけです。",
    "Your request goes to the compliance office, who arrange the consultation with the compliance advisor "
    "(a lawyer). Only you and the compliance office can see it.",
)
FORM_CONTINUES_PRIVATELY = Text(
    "相談の内容はこのチャンネルには表示せず、あなたとの個別の画面で続けます。",
    "The request continues privately with you, never in this channel.",
)
FORM_ALERT = Text(
    "いま身の危険があるときは、相談より先にその場を離れ、110番してください。",
    "If you are in danger now, leave the place and call 110 before anything else.",
)
FIELD_CATEGORY = Text("相談の区分", "Category")
FIELD_SUMMARY = Text("相談の概要", "Summary")
FIELD_SUMMARY_HINT = Text(
    "何が起きているか、何を相談したいかを書いてください（{max} 文字まで）。",
    "What is happening and what you would like advice on ({max} characters at most).",
)
FIELD_URGENCY = Text("緊急度", "Urgency")
FIELD_DEPARTMENT = Text("所属（部署）", "Department")
FIELD_CONTACT = Text("希望する連絡方法", "Preferred contact")
FIELD_CONTACT_HINT = Text("例: 内線 1234、メール、このチャット", "e.g. extension 1234, email, this chat")
FIELD_ATTACH = Text("直前の質問と、ボットが表示した項目を添付する", "Attach my question and the topic the bot showed")
FIELD_ATTACH_HINT = Text("添付する項目: {title}", "Topic to attach: {title}")
FIELD_SHARE_NAME = Text("公益通報の場合: 名前をコンプライアンス推進担当に伝えてよい",
                        "Whistleblowing only: the compliance office may see my name")
FIELD_SHARE_NAME_HINT = Text(
    "公益通報では、同意したときだけ名前を伝えます。ほかの区分では名前が伝わります。",
    "For whistleblowing your name is shown only if you agree; for other categories it is shown.",
)

CATEGORIES = {
    "customer_harassment": Text("カスタマー・ハラスメント", "Customer harassment"),
    "legal_risk": Text("契約・法的リスク", "Contract or legal risk"),
    "whistleblowing": Text("公益通報", "Whistleblowing"),
    "workplace_harassment": Text("職場のハラスメント", "Workplace harassment"),
    "other": Text("その他", "Other"),
}
URGENCIES = {
    "danger_now": Text("いま身の危険がある", "Danger now"),
    "within_days": Text("数日以内に対応が必要", "Within days"),
    "routine": Text("通常", "Routine"),
}
STATUSES = {
    "received": Text("受付", "Received"),
    "in_progress": Text("対応中", "In progress"),
    "done": Text("完了", "Done"),
}

ERROR_REQUIRED = Text("{label}を選んでください。", "Please choose the {label}.")
ERROR_SUMMARY_EMPTY = Text("相談の概要を書いてください。", "Please write a summary.")
ERROR_TOO_LONG = Text("{max} 文字以内にしてください（いま {length} 文字）。",
                      "Please keep it within {max} characters (now {length}).")
ERROR_UNKNOWN_CHOICE = Text("一覧から選んでください。", "Please choose from the list.")

# -- the requester's confirmation -------------------------------------------------------------
SAFETY_ALERT = Text(
    "いますぐその場を離れ、安全な場所に移ってください。身の危険があれば、ためらわず110番してください。",
    "Leave the place now and get somewhere safe. If you are in danger, call 110 without hesitating.",
)
SAFETY_STEPS = (
    Text("その場を離れ、安全な場所に移る。", "Leave the place and get somewhere safe."),
    Text("身の危険があれば110番する。", "If you are in danger, call 110."),
    Text("近くの職員と上司（所属長）に知らせる。", "Tell the staff nearby and your manager."),
)
ACCEPTED_TITLE = Text("相談を受け付けました（{ref}）", "Request received ({ref})")
ACCEPTED = Text(
    "受付番号は {ref} です。問い合わせるときはこの番号を伝えてください。"
    "内容を見られるのは、あなたとコンプライアンス推進担当だけです。",
    "Your reference number is {ref}. Quote it when you ask about the request. "
    "Only you and the compliance office can see it.",
)
NEXT_OFFICE_CONTACTS = Text(
    "コンプライアンス推進担当が内容を確認し、希望の連絡方法（{contact}）で連絡します。",
    "The compliance office will read your request and contact you by your preferred contact ({contact}).",
)
NEXT_OFFICE_CONTACTS_DEFAULT = Text(
    "コンプライアンス推進担当が内容を確認し、このチャットで連絡します。",
    "The compliance office will read your request and contact you in this chat.",
)
NEXT_STATUS_DM = Text(
    "状況（受付・対応中・完了）が変わるたびに、このボットから個別メッセージでお知らせします。",
    "Each time the status changes (received, in progress, done) the bot tells you by direct message.",
)
NEXT_FORMAL = Text(
    "指導員（弁護士）への正式な法律相談の申込み方法は、下の問い合わせ先のとおりです。",
    "For a formal legal consultation with the advisor, apply as shown under Contact below.",
)
WHISTLEBLOWING_PROTECTION = Text(
    "公益通報をしたことを理由に、解雇・降格・減給などの不利益な取扱いを受けることはありません"
    "（公益通報者保護制度）。",
    "You are protected: reporting must never lead to dismissal, demotion, a pay cut or any other "
    "unfavourable treatment (whistleblower protection system).",
)
WHISTLEBLOWING_NAME_SHARED = Text("あなたの名前はコンプライアンス推進担当に伝わります（同意あり）。",
                                  "Your name is shown to the compliance office (you agreed).")
WHISTLEBLOWING_NAME_HIDDEN = Text("あなたの名前はコンプライアンス推進担当に伝えません（同意なし）。",
                                  "Your name is not shown to the compliance office (you did not agree).")

# -- the office notification --------------------------------------------------------------------
OFFICE_TITLE = Text("法律相談の依頼 {ref}", "Legal consultation request {ref}")
OFFICE_WHISTLEBLOWING_TITLE = Text("公益通報 {ref}", "Whistleblowing report {ref}")
OFFICE_DANGER = Text("緊急: 相談者は、いま身の危険があると回答しています。すぐに連絡してください。",
                     "Urgent: the requester says they are in danger now. Contact them at once.")
OFFICE_NAME_HIDDEN = Text("（非表示: 本人の同意なし）", "(hidden: the requester did not agree)")
OFFICE_NOT_GIVEN = Text("（記入なし）", "(not given)")
OFFICE_ATTACHED_QUESTION = Text("添付された質問", "Attached question")
OFFICE_ATTACHED_ENTRY = Text("添付された項目", "Attached topic")
OFFICE_REQUESTER = Text("相談者", "Requester")
OFFICE_RECEIVED_AT = Text("受付日時", "Received")
OFFICE_STATUS_HINT = Text("状況を変えると、相談者に個別メッセージで伝わります。",
                          "Changing the status tells the requester by direct message.")

# -- status changes -----------------------------------------------------------------------------
STATUS_CHANGED = Text("{ref} の状況を「{status}」にしました（{who}、{when}）。",
                      "{ref} is now \"{status}\" ({who}, {when}).")
STATUS_UNCHANGED = Text("{ref} の状況はすでに「{status}」です。", "{ref} is already \"{status}\".")
STATUS_DM_TITLE = Text("相談 {ref} の状況: {status}", "Your request {ref}: {status}")
STATUS_DM = Text("コンプライアンス推進担当（{who}）が {when} に状況を「{status}」にしました。",
                 "The compliance office ({who}) changed the status to \"{status}\" at {when}.")
NOT_FOUND = Text("受付番号 {ref} の相談は見つかりません。", "There is no request {ref}.")
SHOW_TITLE = Text("相談 {ref}", "Request {ref}")

LABEL_CATEGORY = FIELD_CATEGORY
LABEL_URGENCY = FIELD_URGENCY
LABEL_SUMMARY = FIELD_SUMMARY
LABEL_DEPARTMENT = FIELD_DEPARTMENT
LABEL_CONTACT = FIELD_CONTACT
LABEL_STATUS = Text("状況", "Status")

OWN_LINE = Text("{ref}（{date}）{category} — {status}", "{ref} ({date}) {category} — {status}")
