// Vigil's default e-mail templates: email.default.subject (the same subject as Alertmanager's)
// and email.default.html, an HTML body of Vigil's own design carrying what Alertmanager's
// template/email.tmpl carries: a banner with the number of alerts and the group labels,
// a link to the alerts in the web UI, then the firing and the resolved alerts with their
// labels, annotations and source link, and a footer linking to the external URL.
//
// The HTML body is rendered by the email notifier with HTML-escaped template data (see
// render.ts executeHtml), so label and annotation values are escaped here as Alertmanager's
// html/template escapes them.

/** EMAIL_TMPL is the text of Vigil's email.tmpl, parsed after DEFAULT_TMPL. */
export const EMAIL_TMPL = `
{{ define "email.default.subject" }}{{ template "__subject" . }}{{ end }}

{{- /* The labels, annotations and source link of one alert. */}}
{{ define "__vigil_email_alert" -}}
<tr><td style="padding:0 0 20px;vertical-align:top">
<strong>Labels</strong><br>
{{ range .Labels.SortedPairs }}{{ .Name }} = {{ .Value }}<br>
{{ end -}}
{{ if .Annotations }}<strong>Annotations</strong><br>
{{ range .Annotations.SortedPairs }}{{ .Name }} = {{ .Value }}<br>
{{ end }}{{ end -}}
<a href="{{ .GeneratorURL }}" style="color:#348eda;text-decoration:underline">Source</a><br>
</td></tr>
{{- end }}

{{ define "email.default.html" -}}
<!DOCTYPE html>
<html>
<head>
<meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<title>{{ template "__subject" . }}</title>
</head>
<body style="margin:0;padding:0;background-color:#f6f6f6;font-family:'Helvetica Neue',Helvetica,Arial,sans-serif;font-size:14px;line-height:1.6em">
<table width="100%" cellpadding="0" cellspacing="0" style="background-color:#f6f6f6">
<tr><td></td><td width="600" style="max-width:600px;margin:0 auto;padding:20px;display:block">
<table width="100%" cellpadding="0" cellspacing="0" style="background-color:#fff;border:1px solid #e9e9e9;border-radius:3px">
<tr><td style="padding:20px;text-align:center;color:#fff;font-size:16px;font-weight:500;border-radius:3px 3px 0 0;background-color:{{ if .Alerts.Firing }}#E6522C{{ else }}#68B90F{{ end }}">
{{ len .Alerts }} alert{{ if gt (len .Alerts) 1 }}s{{ end }} for {{ range .GroupLabels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}
</td></tr>
<tr><td style="padding:30px">
<table width="100%" cellpadding="0" cellspacing="0">
<tr><td style="padding:0 0 20px">
<a href="{{ template "__alertmanagerURL" . }}" style="display:inline-block;padding:10px 20px;border-radius:5px;background-color:#348eda;color:#fff;font-weight:bold;text-decoration:none">View in {{ template "__alertmanager" . }}</a>
</td></tr>
{{ with .Alerts.Firing -}}
<tr><td style="padding:0 0 20px"><strong>[{{ len . }}] Firing</strong></td></tr>
{{ range . }}{{ template "__vigil_email_alert" . }}
{{ end }}{{ end -}}
{{ with .Alerts.Resolved -}}
<tr><td style="padding:0 0 20px"><strong>[{{ len . }}] Resolved</strong></td></tr>
{{ range . }}{{ template "__vigil_email_alert" . }}
{{ end }}{{ end -}}
</table>
</td></tr>
</table>
<div style="padding:20px;text-align:center;color:#999;font-size:12px"><a href="{{ .ExternalURL }}" style="color:#999;text-decoration:underline">Sent by {{ template "__alertmanager" . }}</a></div>
</td><td></td></tr>
</table>
</body>
</html>
{{ end }}
`;
