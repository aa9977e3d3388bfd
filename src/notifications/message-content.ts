/** What a message says, before it is laid out as text or HTML. Values are raw; the layouts escape. */
export interface MessageContent {
  subject: string;
  greeting: string;
  paragraphs: string[];
  facts: Array<[label: string, value: string]>;
}
