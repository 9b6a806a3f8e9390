/**
 * Templat: letter templates and their sandboxed rendering, the kop surat (letterhead) and the naskah
 * dinas layout every printed letter uses. Pages: routes/templat/, views/templates/.
 */
export { appendPdfAttachments, pdfPageCount, renderLetterHtml, renderLetterPdf } from './letterRender';
export type { LetterDoc } from './letterRender';
export { getTemplate, listAllTemplates, listTemplates, parseTemplateValues, renderTemplateBody } from './letterTemplates';
export type { LetterTemplate, TemplateContext } from './letterTemplates';
export { previewTemplatePdf } from './templatePreview';
export type { PreviewData } from './templatePreview';
export { TemplateError, closeTemplateSandbox } from './templateSandbox';
