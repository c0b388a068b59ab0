// Vigil's default notification templates: the templates that Alertmanager's integration
// defaults name (`{{ template "slack.default.title" . }}`, ...), written for Vigil. For every
// name that Alertmanager 0.33 defines in template/default.tmpl, the rendered text is the same
// as Alertmanager's, so user templates that call them (and the helpers __subject,
// __alertmanagerURL, __text_alert_list, __text_alert_list_markdown) keep working. The layout
// differs: shared pieces are factored into __vigil_* helpers. Vigil adds ntfy.default.*.
//
// Whitespace matters in every definition below; `{{-` and `-}}` trim it where the output must
// not contain the template's line breaks.

/** DEFAULT_TMPL is the text of Vigil's default.tmpl, parsed before user templates. */
export const DEFAULT_TMPL = `
{{/* ----- Shared helpers ----- */}}

{{ define "__alertmanager" }}Alertmanager{{ end }}

{{- /* The link to the alerts of a receiver in the web UI. */}}
{{ define "__alertmanagerURL" -}}
{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}
{{- end }}

{{- /* [FIRING:2] group label values (other common label values) */}}
{{ define "__subject" -}}
[{{ toUpper .Status }}{{ if eq .Status "firing" }}:{{ len .Alerts.Firing }}{{ end }}]
{{- " " }}{{ join " " .GroupLabels.SortedPairs.Values }}{{ " " }}
{{- if gt (len .CommonLabels) (len .GroupLabels) -}}
({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ join " " .Values }}{{ end }})
{{- end }}
{{- end }}

{{ define "__description" }}{{ end }}

{{- /* One line per label or annotation: prefix, name = value. */}}
{{ define "__vigil_pairs" -}}
{{ $prefix := index . 0 }}{{ range (index . 1).SortedPairs -}}
{{ $prefix }}{{ .Name }} = {{ .Value }}
{{ end }}
{{- end }}

{{ define "__text_alert_list" -}}
{{ range . -}}
Labels:
{{ template "__vigil_pairs" (list " - " .Labels) }}Annotations:
{{ template "__vigil_pairs" (list " - " .Annotations) }}Source: {{ .GeneratorURL }}
{{ end }}
{{- end }}

{{ define "__text_alert_list_markdown" -}}
{{ range . }}
Labels:
{{ template "__vigil_pairs" (list "  - " .Labels) }}
Annotations:
{{ template "__vigil_pairs" (list "  - " .Annotations) }}
Source: {{ .GeneratorURL }}
{{ end }}
{{ end }}

{{- /* The values of the common annotations, separated by spaces. */}}
{{ define "__vigil_common_annotations" }}{{ join " " .CommonAnnotations.SortedPairs.Values }}{{ end }}

{{- /*
  Firing and resolved alerts as plain text lists. "__vigil_sections_compact" puts the two
  sections right after each other (used by opsgenie, victorops, wechat); the "spaced" form
  adds a blank line around each section (pushover, sns, webex, telegram, discord).
*/}}
{{ define "__vigil_sections_compact" -}}
{{ if .Alerts.Firing }}Alerts Firing:
{{ template "__text_alert_list" .Alerts.Firing }}{{ end }}
{{ if .Alerts.Resolved }}Alerts Resolved:
{{ template "__text_alert_list" .Alerts.Resolved }}{{ end }}
{{- end }}

{{ define "__vigil_sections_spaced" -}}
{{ if .Alerts.Firing }}
Alerts Firing:
{{ template "__text_alert_list" .Alerts.Firing }}
{{ end }}
{{ if .Alerts.Resolved }}
Alerts Resolved:
{{ template "__text_alert_list" .Alerts.Resolved }}
{{ end }}
{{ end }}

{{- /* Markdown lists with "# Alerts Firing:" headings (msteams, msteamsv2, jira, mattermost). */}}
{{ define "__vigil_sections_markdown" }}
{{ if .Alerts.Firing }}
# Alerts Firing:
{{ template "__text_alert_list_markdown" .Alerts.Firing }}
{{ end }}
{{ if .Alerts.Resolved }}
# Alerts Resolved:
{{ template "__text_alert_list_markdown" .Alerts.Resolved }}
{{ end }}
{{ end }}

{{ define "__vigil_status_color" }}{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}{{ end }}

{{/* ----- Slack ----- */}}

{{ define "slack.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "slack.default.username" }}{{ template "__alertmanager" . }}{{ end }}
{{ define "slack.default.fallback" -}}
{{ template "slack.default.title" . }} | {{ template "slack.default.titlelink" . }}
{{- end }}
{{ define "slack.default.callbackid" }}{{ end }}
{{ define "slack.default.pretext" }}{{ end }}
{{ define "slack.default.titlelink" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{ define "slack.default.iconemoji" }}{{ end }}
{{ define "slack.default.iconurl" }}{{ end }}
{{ define "slack.default.text" }}{{ end }}
{{ define "slack.default.footer" }}{{ end }}
{{ define "slack.default.color" }}{{ template "__vigil_status_color" . }}{{ end }}

{{/* ----- PagerDuty ----- */}}

{{ define "pagerduty.default.description" }}{{ template "__subject" . }}{{ end }}
{{ define "pagerduty.default.client" }}{{ template "__alertmanager" . }}{{ end }}
{{ define "pagerduty.default.clientURL" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{ define "pagerduty.default.instances" }}{{ template "__text_alert_list" . }}{{ end }}

{{/* ----- Opsgenie ----- */}}

{{ define "opsgenie.default.message" }}{{ template "__subject" . }}{{ end }}
{{ define "opsgenie.default.description" -}}
{{ template "__vigil_common_annotations" . }}
{{ template "__vigil_sections_compact" . }}
{{- end }}
{{ define "opsgenie.default.source" }}{{ template "__alertmanagerURL" . }}{{ end }}

{{/* ----- WeChat ----- */}}

{{ define "wechat.default.message" -}}
{{ template "__subject" . }}
{{ template "__vigil_common_annotations" . }}
{{ template "__vigil_sections_compact" . }}
AlertmanagerUrl:
{{ template "__alertmanagerURL" . }}
{{- end }}
{{ define "wechat.default.to_user" }}{{ end }}
{{ define "wechat.default.to_party" }}{{ end }}
{{ define "wechat.default.to_tag" }}{{ end }}
{{ define "wechat.default.agent_id" }}{{ end }}

{{/* ----- Splunk On-Call (VictorOps) ----- */}}

{{ define "victorops.default.state_message" -}}
{{ template "__vigil_common_annotations" . }}
{{ template "__vigil_sections_compact" . }}
{{- end }}
{{ define "victorops.default.entity_display_name" }}{{ template "__subject" . }}{{ end }}
{{ define "victorops.default.monitoring_tool" }}{{ template "__alertmanager" . }}{{ end }}

{{/* ----- Pushover, SNS, Webex ----- */}}

{{ define "pushover.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "pushover.default.message" -}}
{{ template "__vigil_common_annotations" . }}
{{ template "__vigil_sections_spaced" . }}
{{- end }}
{{ define "pushover.default.url" }}{{ template "__alertmanagerURL" . }}{{ end }}

{{ define "sns.default.subject" }}{{ template "__subject" . }}{{ end }}
{{ define "sns.default.message" }}{{ template "pushover.default.message" . }}{{ end }}

{{ define "webex.default.message" }}{{ template "pushover.default.message" . }}{{ end }}

{{/* ----- Telegram, Discord ----- */}}

{{ define "telegram.default.message" }}
{{ template "__vigil_sections_spaced" . }}
{{- end }}

{{ define "discord.default.content" }}{{ end }}
{{ define "discord.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "discord.default.message" }}{{ template "telegram.default.message" . }}{{ end }}

{{/* ----- Microsoft Teams ----- */}}

{{ define "msteams.default.summary" }}{{ template "__subject" . }}{{ end }}
{{ define "msteams.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "msteams.default.text" }}{{ template "__vigil_sections_markdown" . }}{{ end }}

{{ define "msteamsv2.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "msteamsv2.default.text" }}{{ template "__vigil_sections_markdown" . }}{{ end }}

{{/* ----- Jira ----- */}}

{{ define "jira.default.summary" }}{{ template "__subject" . }}{{ end }}
{{ define "jira.default.description" }}{{ template "__vigil_sections_markdown" . }}{{ end }}

{{- /*
  The Jira priority follows the most severe "severity" label: High for critical, Medium for
  warning, Low for info. Firing alerts decide; resolved ones only when no firing alert does.
*/}}
{{ define "jira.default.priority" -}}
{{ $rank := 0 }}
{{- range .Alerts.Firing }}
  {{- $s := index .Labels "severity" }}
  {{- if eq $s "critical" }}{{ $rank = 3 }}
  {{- else if and (eq $s "warning") (lt $rank 2) }}{{ $rank = 2 }}
  {{- else if and (eq $s "info") (lt $rank 1) }}{{ $rank = 1 }}{{ end }}
{{- end }}
{{- if eq $rank 0 }}
  {{- range .Alerts.Resolved }}
    {{- $s := index .Labels "severity" }}
    {{- if eq $s "critical" }}{{ $rank = 3 }}
    {{- else if and (eq $s "warning") (lt $rank 2) }}{{ $rank = 2 }}
    {{- else if and (eq $s "info") (lt $rank 1) }}{{ $rank = 1 }}{{ end }}
  {{- end }}
{{- end }}
{{- index (list "" "Low" "Medium" "High") $rank }}
{{- end }}

{{/* ----- Rocket.Chat ----- */}}

{{ define "rocketchat.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "rocketchat.default.alias" }}{{ template "__alertmanager" . }}{{ end }}
{{ define "rocketchat.default.titlelink" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{ define "rocketchat.default.emoji" }}{{ end }}
{{ define "rocketchat.default.iconurl" }}{{ end }}
{{ define "rocketchat.default.text" }}{{ end }}

{{/* ----- Mattermost ----- */}}

{{ define "mattermost.default.color" }}{{ template "__vigil_status_color" . }}{{ end }}
{{ define "mattermost.default.username" }}{{ template "__alertmanager" . }}{{ end }}
{{ define "mattermost.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "mattermost.default.titlelink" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{ define "mattermost.default.fallback" -}}
{{ template "mattermost.default.title" . }} | {{ template "mattermost.default.titlelink" . }}
{{- end }}
{{ define "mattermost.default.text" }}{{ template "__vigil_sections_markdown" . }}{{ end }}

{{/* ----- ntfy (Vigil) ----- */}}

{{ define "ntfy.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "ntfy.default.message" -}}
{{ range $i, $a := .Alerts }}{{ if $i }}
{{ end }}{{ if eq .Status "firing" }}🔥{{ else }}✅{{ end }} {{ .Labels.alertname }}
{{- with .Annotations.summary }}: {{ . }}{{ end }}
{{- with .Labels.Remove (stringSlice "alertname") }} ({{ .String }}){{ end }}
{{- end }}
{{- end }}
`;
