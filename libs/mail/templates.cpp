#include "mail/templates.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>

namespace casecall::mail {

namespace {

struct mail_template {
  std::string_view kind;
  std::string_view language;
  std::string_view subject;
  std::string_view body;
};

// Bodies are written as raw literals that open with a line break, for readability; this
// drops it.
constexpr std::string_view text(std::string_view raw) { return raw.substr(1); }

// Every body: greeting, what the mail is about, the link alone on its line (when there is
// one), and for the account mails its single use and lifetime and what to do when the mail
// was not expected; then the sign-off. Lines stay within 76 columns (a CJK character
// counts two) for values of usual length.
constexpr std::array<mail_template, 35> templates = {{
    // ---------------------------------------------------------------- verify_email
    {"verify_email", "en", "Confirm your e-mail address for casecall", text(R"txt(
Hello {{name}},

Please confirm your e-mail address for casecall, the platform of the
Global Solicitation on Best Poverty Reduction Practices. To do so, open
this link:

{{link}}

The link works only once and expires after {{hours}} hours.

If you did not expect this e-mail, you can safely ignore it.

— casecall
)txt")},
    {"verify_email", "fr", "Confirmez votre adresse e-mail sur casecall", text(R"txt(
Bonjour {{name}},

Veuillez confirmer votre adresse e-mail sur casecall, la plateforme de
l'Appel mondial aux meilleures pratiques de réduction de la pauvreté.
Pour cela, ouvrez ce lien :

{{link}}

Ce lien ne peut servir qu'une fois et expire dans {{hours}} heures.

Si vous n'attendiez pas ce message, vous pouvez simplement l'ignorer.

— casecall
)txt")},
    {"verify_email", "es", "Confirme su dirección de correo electrónico en casecall",
     text(R"txt(
Hola, {{name}}:

Confirme su dirección de correo electrónico en casecall, la plataforma
de la Convocatoria Mundial de Mejores Prácticas para la Reducción de la
Pobreza. Para ello, abra este enlace:

{{link}}

El enlace solo puede usarse una vez y caduca en {{hours}} horas.

Si no esperaba este mensaje, puede ignorarlo sin más.

— casecall
)txt")},
    {"verify_email", "zh", "请验证您在 casecall 的电子邮箱地址", text(R"txt(
{{name}}，您好：

请验证您在 casecall 使用的电子邮箱地址。
casecall 是全球减贫案例征集活动的在线平台。
请打开以下链接完成验证：

{{link}}

该链接仅可使用一次，{{hours}} 小时后失效。

如果您并未预期收到本邮件，请直接忽略。

—— casecall
)txt")},
    {"verify_email", "ar", "تأكيد عنوان بريدك الإلكتروني على casecall", text(R"txt(
مرحبًا {{name}}،

يُرجى تأكيد عنوان بريدك الإلكتروني على casecall، منصة الدعوة العالمية
لتقديم أفضل ممارسات الحد من الفقر. ولهذا الغرض، يُرجى فتح الرابط التالي:

{{link}}

لا يعمل هذا الرابط إلا مرة واحدة، وتنتهي صلاحيته بعد {{hours}} ساعة.

إذا لم تكن هذه الرسالة متوقعة، فيُرجى تجاهلها.

— casecall
)txt")},

    // ---------------------------------------------------------------- invitation
    {"invitation", "en", "{{inviter}} has invited you to casecall", text(R"txt(
Hello {{name}},

{{inviter}} ({{organisation}}) has invited you
to join casecall, the platform of the Global Solicitation on Best
Poverty Reduction Practices, where organisations submit written cases
and international judges score them.

To accept the invitation and choose your password, open this link:

{{link}}

The link works only once and expires after {{hours}} hours.

If you did not expect this invitation, you can safely ignore this e-mail.

— casecall
)txt")},
    {"invitation", "fr", "{{inviter}} vous invite à rejoindre casecall", text(R"txt(
Bonjour {{name}},

{{inviter}} ({{organisation}}) vous invite
à rejoindre casecall, la plateforme de l'Appel mondial aux meilleures
pratiques de réduction de la pauvreté, où des organisations soumettent
leurs cas par écrit et où des juges internationaux les évaluent.

Pour accepter l'invitation et choisir votre mot de passe, ouvrez ce
lien :

{{link}}

Ce lien ne peut servir qu'une fois et expire dans {{hours}} heures.

Si vous n'attendiez pas cette invitation, vous pouvez simplement ignorer
ce message.

— casecall
)txt")},
    {"invitation", "es", "{{inviter}} le invita a unirse a casecall", text(R"txt(
Hola, {{name}}:

{{inviter}} ({{organisation}}) le invita
a unirse a casecall, la plataforma de la Convocatoria Mundial de
Mejores Prácticas para la Reducción de la Pobreza, donde las
organizaciones presentan sus casos por escrito y jueces internacionales
los evalúan.

Para aceptar la invitación y elegir su contraseña, abra este enlace:

{{link}}

El enlace solo puede usarse una vez y caduca en {{hours}} horas.

Si no esperaba esta invitación, puede ignorar este mensaje sin más.

— casecall
)txt")},
    {"invitation", "zh", "{{inviter}} 邀请您加入 casecall", text(R"txt(
{{name}}，您好：

{{inviter}}（{{organisation}}）邀请您加入 casecall。
casecall 是全球减贫案例征集活动的在线平台，
各机构在此提交书面案例，由国际评审专家进行评审。

请打开以下链接，接受邀请并设置密码：

{{link}}

该链接仅可使用一次，{{hours}} 小时后失效。

如果您对此邀请并不知情，请直接忽略本邮件。

—— casecall
)txt")},
    {"invitation", "ar", "دعوة من {{inviter}} للانضمام إلى casecall", text(R"txt(
مرحبًا {{name}}،

تلقيت دعوة من {{inviter}} ({{organisation}})
للانضمام إلى casecall، منصة الدعوة العالمية لتقديم أفضل ممارسات الحد
من الفقر، حيث تقدّم المنظمات تجاربها مكتوبةً ويقيّمها محكّمون دوليون.

لقبول الدعوة واختيار كلمة المرور، يُرجى فتح الرابط التالي:

{{link}}

لا يعمل هذا الرابط إلا مرة واحدة، وتنتهي صلاحيته بعد {{hours}} ساعة.

إذا لم تكن هذه الدعوة متوقعة، فيُرجى تجاهل هذه الرسالة.

— casecall
)txt")},

    // ---------------------------------------------------------------- password_reset
    {"password_reset", "en", "Reset your casecall password", text(R"txt(
Hello {{name}},

We received a request to reset the password of your casecall account.
To choose a new password, open this link:

{{link}}

The link works only once and expires after {{hours}} hours.

If you did not ask for this, ignore this e-mail: your password stays
as it is.

— casecall
)txt")},
    {"password_reset", "fr", "Réinitialisation de votre mot de passe casecall", text(R"txt(
Bonjour {{name}},

Nous avons reçu une demande de réinitialisation du mot de passe de
votre compte casecall. Pour choisir un nouveau mot de passe, ouvrez ce
lien :

{{link}}

Ce lien ne peut servir qu'une fois et expire dans {{hours}} heures.

Si vous n'êtes pas à l'origine de cette demande, ignorez ce message :
votre mot de passe reste inchangé.

— casecall
)txt")},
    {"password_reset", "es", "Restablezca su contraseña de casecall", text(R"txt(
Hola, {{name}}:

Hemos recibido una solicitud para restablecer la contraseña de su
cuenta de casecall. Para elegir una contraseña nueva, abra este enlace:

{{link}}

El enlace solo puede usarse una vez y caduca en {{hours}} horas.

Si usted no lo ha solicitado, ignore este mensaje: su contraseña no
cambiará.

— casecall
)txt")},
    {"password_reset", "zh", "重置您的 casecall 密码", text(R"txt(
{{name}}，您好：

我们收到了重置您 casecall 账户密码的请求。
请打开以下链接设置新密码：

{{link}}

该链接仅可使用一次，{{hours}} 小时后失效。

如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。

—— casecall
)txt")},
    {"password_reset", "ar", "إعادة تعيين كلمة المرور على casecall", text(R"txt(
مرحبًا {{name}}،

تلقينا طلبًا لإعادة تعيين كلمة المرور لحسابك على casecall. لاختيار
كلمة مرور جديدة، يُرجى فتح الرابط التالي:

{{link}}

لا يعمل هذا الرابط إلا مرة واحدة، وتنتهي صلاحيته بعد {{hours}} ساعة.

إذا لم يكن هذا الطلب منك، فيُرجى تجاهل هذه الرسالة، وستبقى كلمة المرور
الحالية كما هي.

— casecall
)txt")},

    // ---------------------------------------------------------------- password_changed
    {"password_changed", "en", "Your casecall password was changed", text(R"txt(
Hello {{name}},

The password of your casecall account has just been changed.

If you made this change, there is nothing more to do.

If you did not, write to {{support}} at once:
someone else may have access to your account.

— casecall
)txt")},
    {"password_changed", "fr", "Votre mot de passe casecall a été modifié", text(R"txt(
Bonjour {{name}},

Le mot de passe de votre compte casecall vient d'être modifié.

Si vous êtes à l'origine de ce changement, vous n'avez rien à faire.

Sinon, écrivez immédiatement à {{support}} :
une autre personne a peut-être accès à votre compte.

— casecall
)txt")},
    {"password_changed", "es", "Se ha cambiado su contraseña de casecall", text(R"txt(
Hola, {{name}}:

La contraseña de su cuenta de casecall se acaba de cambiar.

Si ha sido usted, no tiene que hacer nada más.

Si no ha sido usted, escriba de inmediato a {{support}}:
es posible que otra persona tenga acceso a su cuenta.

— casecall
)txt")},
    {"password_changed", "zh", "您的 casecall 密码已更改", text(R"txt(
{{name}}，您好：

您的 casecall 账户密码刚刚被更改。

如果是您本人操作，则无需进行任何处理。

如果不是您本人操作，请立即联系 {{support}}：
您的账户可能已被他人盗用。

—— casecall
)txt")},
    {"password_changed", "ar", "تم تغيير كلمة المرور لحسابك على casecall", text(R"txt(
مرحبًا {{name}}،

تم للتو تغيير كلمة المرور لحسابك على casecall.

إذا كنت أنت من أجرى هذا التغيير، فلا حاجة إلى أي إجراء آخر.

وإلا فيُرجى مراسلة {{support}} فورًا،
إذ قد يكون شخص آخر قد تمكّن من الوصول إلى حسابك.

— casecall
)txt")},
    // ---------------------------------------------------------------- case_receipt
    {"case_receipt", "en", "Received: case {{reference}}", text(R"txt(
Hello {{name}},

Your case {{reference}} for {{call}}
was received on {{submitted_at}} (server time, UTC).

Its receipt is this SHA-256 of the submitted content and attachments:
{{hash}}

You can read the case, and change or withdraw it until the deadline, here:

{{link}}

— casecall
)txt")},
    {"case_receipt", "fr", "Reçu : cas {{reference}}", text(R"txt(
Bonjour {{name}},

Votre cas {{reference}} pour {{call}}
a été reçu le {{submitted_at}} (heure du serveur, UTC).

Son reçu est cette empreinte SHA-256 du contenu et des pièces jointes :
{{hash}}

Vous pouvez consulter le cas, le modifier ou le retirer jusqu'à la
date limite ici :

{{link}}

— casecall
)txt")},
    {"case_receipt", "es", "Recibido: caso {{reference}}", text(R"txt(
Hola, {{name}}:

Su caso {{reference}} para {{call}}
se recibió el {{submitted_at}} (hora del servidor, UTC).

Su recibo es esta huella SHA-256 del contenido y los archivos adjuntos:
{{hash}}

Puede consultar el caso, modificarlo o retirarlo hasta la fecha límite
aquí:

{{link}}

— casecall
)txt")},
    {"case_receipt", "zh", "已收到：案例 {{reference}}", text(R"txt(
{{name}}，您好：

您为“{{call}}”提交的案例 {{reference}}
已于 {{submitted_at}}（服务器时间，UTC）收到。

本次提交内容及附件的 SHA-256 回执为：
{{hash}}

截止日期前，您可在此查看、修改或撤回该案例：

{{link}}

—— casecall
)txt")},
    {"case_receipt", "ar", "تم الاستلام: الحالة {{reference}}", text(R"txt(
مرحبًا {{name}}،

تم استلام حالتكم {{reference}} المقدّمة إلى {{call}}
في {{submitted_at}} (توقيت الخادم، UTC).

إيصالها هو بصمة SHA-256 هذه للمحتوى والمرفقات المقدّمة:
{{hash}}

يمكنكم الاطلاع على الحالة أو تعديلها أو سحبها حتى الموعد النهائي هنا:

{{link}}

— casecall
)txt")},

    // ---------------------------------------------------------------- review_assignment
    {"review_assignment", "en", "New cases to review in {{round}}", text(R"txt(
Hello {{name}},

New cases have been assigned to you in the review round
{{round}}.

New cases: {{count}}
Total assigned to you in this round: {{total}}

To see your assignments and start reviewing, open this link:

{{link}}

If you have a conflict of interest with any of these cases, please
declare it from the same page before you review it.

Thank you for your work as a judge.

— casecall
)txt")},
    {"review_assignment", "fr", "Nouveaux cas à évaluer : {{round}}", text(R"txt(
Bonjour {{name}},

De nouveaux cas vous ont été attribués dans le tour d'évaluation
{{round}}.

Nouveaux cas : {{count}}
Nombre total de vos cas dans ce tour : {{total}}

Pour consulter vos attributions et commencer l'évaluation, ouvrez ce
lien :

{{link}}

Si vous avez un conflit d'intérêts avec l'un de ces cas, veuillez le
déclarer depuis la même page avant de l'évaluer.

Merci de votre contribution en tant que juge.

— casecall
)txt")},
    {"review_assignment", "es", "Nuevos casos para evaluar: {{round}}", text(R"txt(
Hola, {{name}}:

Se le han asignado nuevos casos en la ronda de evaluación
{{round}}.

Casos nuevos: {{count}}
Total de casos que tiene asignados en esta ronda: {{total}}

Para ver sus asignaciones y empezar la evaluación, abra este enlace:

{{link}}

Si tiene un conflicto de intereses con alguno de estos casos, declárelo
desde esa misma página antes de evaluarlo.

Gracias por su labor en el jurado.

— casecall
)txt")},
    {"review_assignment", "zh", "您有新的评审案例：{{round}}", text(R"txt(
{{name}}，您好：

在评审轮次“{{round}}”中，有新的案例分配给您。

本次新分配：{{count}} 个案例
您在本轮的案例总数：{{total}} 个

请打开以下链接，查看分配给您的案例并开始评审：

{{link}}

如您与其中任何案例存在利益冲突，请在评审前于同一页面进行申报。

感谢您对评审工作的支持！

—— casecall
)txt")},
    {"review_assignment", "ar", "حالات جديدة للتقييم في {{round}}", text(R"txt(
مرحبًا {{name}}،

أُسندت إليك حالات جديدة للتقييم في جولة التحكيم
{{round}}.

عدد الحالات الجديدة: {{count}}
إجمالي الحالات المسندة إليك في هذه الجولة: {{total}}

للاطلاع على الحالات المسندة إليك والبدء في تقييمها، يُرجى فتح الرابط
التالي:

{{link}}

إذا كان لديك تضارب مصالح مع أيٍّ من هذه الحالات، فيُرجى الإفصاح عنه من
الصفحة نفسها قبل تقييمها.

شكرًا لك على جهودك في أعمال التحكيم.

— casecall
)txt")},

    // ---------------------------------------------------------------- case_decision
    {"case_decision", "en", "Decision on your case {{reference}}", text(R"txt(
Hello {{name}},

The review panel has released its decision on your case {{reference}}
for {{call}}.

Decision: {{decision}}

The panel's reason:
{{reason}}

You can read the decision and your case here:

{{link}}

Thank you for taking part.

— casecall
)txt")},
    {"case_decision", "fr", "Décision concernant votre cas {{reference}}", text(R"txt(
Bonjour {{name}},

Le jury d'évaluation a rendu sa décision sur votre cas {{reference}}
pour {{call}}.

Décision : {{decision}}

Motivation du jury :
{{reason}}

Vous pouvez consulter la décision et votre cas ici :

{{link}}

Merci de votre participation.

— casecall
)txt")},
    {"case_decision", "es", "Decisión sobre su caso {{reference}}", text(R"txt(
Hola, {{name}}:

El jurado ha hecho pública la decisión sobre su caso {{reference}}
para {{call}}.

Decisión: {{decision}}

Motivo de la decisión:
{{reason}}

Puede consultar la decisión y su caso aquí:

{{link}}

Gracias por su participación.

— casecall
)txt")},
    {"case_decision", "zh", "案例 {{reference}} 的评审结果已公布", text(R"txt(
{{name}}，您好：

评审委员会已就您为“{{call}}”提交的案例 {{reference}}
作出决定，现公布如下：

评审结果：{{decision}}

评审意见：
{{reason}}

您可在此查看评审结果及您的案例：

{{link}}

感谢您的参与！

—— casecall
)txt")},
    {"case_decision", "ar", "صدور القرار بشأن حالتكم {{reference}}", text(R"txt(
مرحبًا {{name}}،

أصدرت لجنة التحكيم قرارها بشأن حالتكم {{reference}}
المقدّمة إلى {{call}}.

القرار: {{decision}}

أسباب القرار:
{{reason}}

يمكنكم الاطلاع على القرار وعلى حالتكم هنا:

{{link}}

شكرًا لكم على مشاركتكم.

— casecall
)txt")},
}};

constexpr std::string_view fallback_language = "en";

struct decision_text {
  std::string_view decision;
  std::string_view language;
  std::string_view label;
};

// The panel's decisions (review's outcomes) as a reader sees them; see decision_label().
constexpr std::array<decision_text, 20> decision_texts = {{
    {"accept", "en", "Accepted"},
    {"shortlist", "en", "Shortlisted"},
    {"reject", "en", "Not selected"},
    {"advance", "en", "Advanced to the next round"},

    {"accept", "fr", "Accepté"},
    {"shortlist", "fr", "Présélectionné"},
    {"reject", "fr", "Non retenu"},
    {"advance", "fr", "Admis au tour suivant"},

    {"accept", "es", "Aceptado"},
    {"shortlist", "es", "Preseleccionado"},
    {"reject", "es", "No seleccionado"},
    {"advance", "es", "Clasificado para la siguiente ronda"},

    {"accept", "zh", "入选"},
    {"shortlist", "zh", "入围"},
    {"reject", "zh", "未入选"},
    {"advance", "zh", "进入下一轮"},

    {"accept", "ar", "القبول"},
    {"shortlist", "ar", "الإدراج في القائمة المختصرة"},
    {"reject", "ar", "عدم الاختيار"},
    {"advance", "ar", "التأهل إلى الجولة التالية"},
}};

bool is_language(std::string_view language) {
  const auto& langs = languages();
  return std::find(langs.begin(), langs.end(), language) != langs.end();
}

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }

// Where the {{name}} starting at `open` (which points at "{{") ends, one past "}}"; 0 when
// the braces there do not open a placeholder.
std::size_t placeholder_end(std::string_view text_in, std::size_t open) {
  std::size_t i = open + 2;
  while (i < text_in.size() && is_name_char(text_in[i])) ++i;
  if (i == open + 2 || text_in.substr(i, 2) != "}}") return 0;
  return i + 2;
}

// Calls on_text(view) for literal text and on_name(name) for each placeholder, in order.
template <typename OnText, typename OnName>
void scan(std::string_view text_in, OnText&& on_text, OnName&& on_name) {
  std::size_t done = 0;
  std::size_t from = 0;
  while (true) {
    const std::size_t open = text_in.find("{{", from);
    if (open == std::string_view::npos) break;
    const std::size_t end = placeholder_end(text_in, open);
    if (end == 0) {
      from = open + 1;  // not a placeholder: keep it as text, look again one further
      continue;
    }
    on_text(text_in.substr(done, open - done));
    on_name(text_in.substr(open + 2, end - open - 4));
    done = from = end;
  }
  on_text(text_in.substr(done));
}

bool is_kind(std::string_view kind) {
  return std::any_of(templates.begin(), templates.end(),
                     [&](const mail_template& t) { return t.kind == kind; });
}

const mail_template& find(std::string_view kind, std::string_view language) {
  if (!is_kind(kind)) {
    throw std::invalid_argument("unknown mail kind \"" + std::string(kind) + "\"");
  }
  if (!is_language(language)) language = fallback_language;
  for (const auto& t : templates) {
    if (t.kind == kind && t.language == language) return t;
  }
  // A kind without a template in a supported language is a bug in the table above.
  throw std::logic_error("no mail template " + std::string(kind) + "/" +
                         std::string(language));
}

std::string fill(const mail_template& t, std::string_view text_in, const values_map& values) {
  std::string out;
  out.reserve(text_in.size() + 128);
  scan(
      text_in, [&](std::string_view literal) { out.append(literal); },
      [&](std::string_view name) {
        const auto it = values.find(name);
        if (it == values.end()) {
          throw std::invalid_argument("mail " + std::string(t.kind) + "/" +
                                      std::string(t.language) + ": no value for {{" +
                                      std::string(name) + "}}");
        }
        out.append(it->second);
      });
  return out;
}

}  // namespace

rendered render(std::string_view kind, std::string_view language, const values_map& values) {
  const auto& t = find(kind, language);
  rendered r;
  r.subject = fill(t, t.subject, values);
  r.body = fill(t, t.body, values);
  return r;
}

const std::vector<std::string_view>& kinds() {
  static const std::vector<std::string_view> list = {
      "verify_email", "invitation", "password_reset", "password_changed",
      "case_receipt", "review_assignment", "case_decision"};
  return list;
}

const std::vector<std::string_view>& languages() {
  static const std::vector<std::string_view> list = {"en", "fr", "es", "zh", "ar"};
  return list;
}

std::vector<std::string> placeholders(std::string_view kind) {
  return placeholders_in(kind, fallback_language);
}

std::vector<std::string> placeholders_in(std::string_view kind, std::string_view language) {
  const auto& t = find(kind, language);
  std::vector<std::string> names;
  const auto ignore = [](std::string_view) {};
  const auto add = [&](std::string_view name) { names.emplace_back(name); };
  scan(t.subject, ignore, add);
  scan(t.body, ignore, add);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string decision_label(std::string_view decision, std::string_view language) {
  if (!is_language(language)) language = fallback_language;
  for (const auto& d : decision_texts) {
    if (d.decision == decision && d.language == language) return std::string(d.label);
  }
  const bool known = std::any_of(decision_texts.begin(), decision_texts.end(),
                                 [&](const decision_text& d) { return d.decision == decision; });
  if (!known) {
    throw std::invalid_argument("unknown decision \"" + std::string(decision) + "\"");
  }
  // A decision without a label in a supported language is a bug in the table above.
  throw std::logic_error("no label for decision " + std::string(decision) + "/" +
                         std::string(language));
}

}  // namespace casecall::mail
