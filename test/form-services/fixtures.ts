// Payloads shaped like each service's documented example (field names,
// nesting, ids), with our own values. Each returns the exact JSON text sent.

type Person = { email: string; id: string };

/** Typeform `form_response` webhook: answers keyed by field id/ref, titles in the definition, hidden fields by name. */
export function typeformPayload({ email, id }: Person, { eventType = "form_response" } = {}): string {
  return JSON.stringify({
    event_id: `01HZ${id}EVENT`,
    event_type: eventType,
    form_response: {
      form_id: "lT4Z3j",
      token: id,
      landed_at: "2026-11-23T09:12:03Z",
      submitted_at: "2026-11-23T09:13:41Z",
      hidden: {
        utm_source: "newsletter",
        utm_medium: "email",
        utm_campaign: "autumn",
        page_url: "https://acme.example/contact",
      },
      definition: {
        id: "lT4Z3j",
        title: "Contact us",
        fields: [
          { id: "Jt0BxIYvAy6D", title: "What's your full name?", type: "short_text", ref: "full_name", properties: {} },
          {
            id: "SMEUb7VJz92Q",
            title: "And your email address?",
            type: "email",
            ref: "01FKQZ2EK4K7SZS388XGGEYT5Q",
            properties: {},
          },
          {
            id: "pn48RmPazVdM",
            title: "Which company are you with?",
            type: "short_text",
            ref: "company",
            properties: {},
          },
          {
            id: "k6TP9oLGgHjl",
            title: "How can we help?",
            type: "long_text",
            ref: "7a1d6a4c-3e4b-4c8e-9b1f-2f0e1d4c5b6a",
            properties: {},
          },
          {
            id: "gFFf3xAkJKsr",
            title: "How big is your team?",
            type: "multiple_choice",
            ref: "team_size",
            properties: {},
          },
        ],
      },
      answers: [
        { type: "text", text: "Ann Lee", field: { id: "Jt0BxIYvAy6D", type: "short_text", ref: "full_name" } },
        { type: "email", email, field: { id: "SMEUb7VJz92Q", type: "email", ref: "01FKQZ2EK4K7SZS388XGGEYT5Q" } },
        { type: "text", text: "Acme", field: { id: "pn48RmPazVdM", type: "short_text", ref: "company" } },
        {
          type: "text",
          text: "Please call me about pricing",
          field: { id: "k6TP9oLGgHjl", type: "long_text", ref: "7a1d6a4c-3e4b-4c8e-9b1f-2f0e1d4c5b6a" },
        },
        {
          type: "choice",
          choice: { label: "2 to 10" },
          field: { id: "gFFf3xAkJKsr", type: "multiple_choice", ref: "team_size" },
        },
      ],
    },
  });
}

/** Tally FORM_RESPONSE webhook: `data.fields` with key, label, type and value; choices hold option ids. */
export function tallyPayload({ email, id }: Person, { eventType = "FORM_RESPONSE" } = {}): string {
  return JSON.stringify({
    eventId: `a4cb511e-d513-4fa5-baee-${id.padStart(12, "0").slice(-12)}`,
    eventType,
    createdAt: "2026-11-23T09:20:21.889Z",
    data: {
      responseId: id,
      submissionId: id,
      respondentId: "dwQKYm",
      formId: "VwbNEw",
      formName: "Contact",
      createdAt: "2026-11-23T09:20:21.000Z",
      fields: [
        { key: "question_3EKz4n", label: "First name", type: "INPUT_TEXT", value: "Bob" },
        { key: "question_w4Q4Xn", label: "Last name", type: "INPUT_TEXT", value: "Stone" },
        { key: "question_3jZaa3", label: "Work email", type: "INPUT_EMAIL", value: email },
        { key: "question_mVGEg3", label: "Organisation", type: "INPUT_TEXT", value: "Stone & Co" },
        { key: "question_nPBqxa", label: "Comments", type: "TEXTAREA", value: "Looking for a quote" },
        {
          key: "question_wMdLbA",
          label: "Budget",
          type: "MULTIPLE_CHOICE",
          value: ["5d7e8a2a-1c3b-4f6e-9a8b-7c6d5e4f3a2b"],
          options: [
            { id: "5d7e8a2a-1c3b-4f6e-9a8b-7c6d5e4f3a2b", text: "Under $1k" },
            { id: "0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e", text: "$1k or more" },
          ],
        },
        {
          key: "question_3xL2eX_d1b6bc2f-12ab-4c3d-9e8f-7a6b5c4d3e2f",
          label: "utm_source",
          type: "HIDDEN_FIELDS",
          value: "linkedin",
        },
      ],
    },
  });
}

/** Webflow Data API v2 `form_submission`: `payload.data` keyed by field name, `payload.id` the submission. */
export function webflowPayload({ email, id }: Person, { triggerType = "form_submission" } = {}): string {
  return JSON.stringify({
    triggerType,
    payload: {
      name: "Contact Us",
      siteId: "65427cf400e02b306eaa049c",
      data: {
        "First Name": "Zaphod",
        "Last Name": "Beeblebrox",
        email,
        "Phone Number": 15550000000,
        Message: "Don't panic",
      },
      schema: [
        { fieldName: "First Name", fieldType: "FormTextInput", fieldElementId: "285042f7-d554-dc7f-102c-aa10d6a2d2c4" },
        { fieldName: "Last Name", fieldType: "FormTextInput", fieldElementId: "285042f7-d554-dc7f-102c-aa10d6a2d2c5" },
        { fieldName: "email", fieldType: "FormTextInput", fieldElementId: "285042f7-d554-dc7f-102c-aa10d6a2d2c6" },
        {
          fieldName: "Phone Number",
          fieldType: "FormTextInput",
          fieldElementId: "285042f7-d554-dc7f-102c-aa10d6a2d2c7",
        },
        { fieldName: "Message", fieldType: "FormTextArea", fieldElementId: "285042f7-d554-dc7f-102c-aa10d6a2d2c8" },
      ],
      submittedAt: "2026-11-23T09:35:16.117Z",
      id,
      formId: "65429eadebe8a9f3a30f62d0",
      formElementId: "4e038d2c-6a1e-4953-7be9-a59a2b453177",
    },
  });
}

/** Formspree webhook: the form's hashid, the fields under `submission` (with Formspree's own `_date`), and their keys. */
export function formspreePayload({ email, id }: Person): string {
  return JSON.stringify({
    form: "xqkrzbnw",
    submission: {
      _date: `2026-11-23T09:40:00.${id.padStart(3, "0").slice(-3)}Z`,
      name: "Carol Shaw",
      email,
      company: "Initech",
      message: "Demo please",
    },
    keys: ["name", "email", "company", "message"],
  });
}

/** Framer form webhook: input names as keys (the submission id travels in a header). */
export function framerPayload({ email }: Pick<Person, "email">, extra: Record<string, string> = {}): string {
  return JSON.stringify({
    Name: "Dan Brown",
    Email: email,
    Company: "Brown Ltd",
    Message: "Hi there",
    utm_campaign: "launch",
    ...extra,
  });
}
